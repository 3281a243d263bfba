#pragma once
// The HTTP paths roomkey answers besides the WebSocket upgrade.
#include "http/router.h"

namespace rk::net {

// GET /healthz for load balancers; any other path points plain HTTP clients
// at WebSocket (426), or says that only GET is served (405).
http::Router make_router();

}  // namespace rk::net
