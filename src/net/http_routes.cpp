#include "net/http_routes.h"

namespace rk::net {

http::Router make_router(HealthCheck health) {
  http::Router router;
  router.add(http::Verb::get, "/healthz", [health = std::move(health)](const http::Request&) {
    std::string why;
    if (health && !health(why)) return http::Response::text(503, "Service Unavailable", "unavailable: " + why + "\n");
    return http::Response::text(200, "OK", "ok\n");
  });
  router.set_fallback([](const http::Request& request) {
    if (request.method() != http::Verb::get)
      return http::Response::text(405, "Method Not Allowed", "only GET is supported\n", "Allow: GET\r\n");
    return http::Response::text(426, "Upgrade Required",
                                "roomkey speaks WebSocket (RFC 6455) here: connect with a WebSocket client\n",
                                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
  });
  return router;
}

}  // namespace rk::net
