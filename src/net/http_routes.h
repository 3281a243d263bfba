#pragma once
// The HTTP paths roomkey answers besides the WebSocket upgrade.
#include "api/api_routes.h"
#include "http/router.h"
#include "net/metrics_route.h"

namespace rk::store {
class RoomStore;
}

namespace rk::net {

struct RouteServices {
  store::RoomStore& store;
  const Loops& loops;  // every loop of the process, filled in before the first request
  const api::ApiSettings& api;
};

// Which of the optional routes the main port serves.
struct MainRoutes {
  bool metrics = true;  // false with --metrics-port: /metrics is served only on that port
  bool web = true;      // false with --no-web
};

// GET /healthz: the process is alive (always 200). GET /readyz: 200 only when
// the store answers a lookup (and in cluster mode every loop's Redis bus is
// up), else 503 with the reason. GET /metrics: Prometheus. GET /: the
// browser page, with the files it loads. Any other path points plain HTTP
// clients at WebSocket (426), or says that only GET is served (405).
http::Router make_router(const RouteServices& services, MainRoutes routes = {});
// --metrics-port: /metrics, /healthz and /readyz; anything else 404.
http::Router make_metrics_router(const RouteServices& services);

}  // namespace rk::net
