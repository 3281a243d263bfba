#pragma once
// The HTTP paths roomkey answers besides the WebSocket upgrade.
#include <functional>
#include <string>

#include "http/router.h"

namespace rk::net {

// Whether the node can serve (false, and why: cluster mode without Redis).
using HealthCheck = std::function<bool(std::string& why)>;

// GET /healthz for load balancers (503 and the reason while `health` says
// no); any other path points plain HTTP clients at WebSocket (426), or says
// that only GET is served (405).
http::Router make_router(HealthCheck health = {});

}  // namespace rk::net
