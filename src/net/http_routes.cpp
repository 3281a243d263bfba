#include "net/http_routes.h"

#include "session/cluster_sync.h"
#include "session/loop_context.h"
#include "store/room_store.h"
#include "web/web_routes.h"

namespace rk::net {
namespace {

// A key no room can have (room keys are 22 characters of base64url): the
// lookup proves the store answers without touching a room.
constexpr const char* kProbeKey = "readiness-probe";

http::Response unavailable(const std::string& why) {
  return http::Response::text(503, "Service Unavailable", "not ready: " + why + "\n");
}

bool buses_up(const Loops& loops, std::string& why) {
  for (session::LoopContext* loop : loops) {
    if (loop->cluster && !loop->cluster->bus().healthy(why)) return false;
  }
  return true;
}

void answer_readiness(const RouteServices& services, http::Router::Reply reply) {
  std::string why;
  if (!buses_up(services.loops, why)) return reply(unavailable(why));
  services.store.submit(store::StoreRequest{store::StoreOp::kExists, kProbeKey, {}},
                        [reply = std::move(reply)](const store::StoreRequest& answer) {
                          if (answer.status == store::StoreStatus::kUnavailable)
                            return reply(unavailable("the room store does not answer"));
                          reply(http::Response::text(200, "OK", "ready\n"));
                        });
}

void add_probes(http::Router& router, const RouteServices& services, bool with_metrics) {
  router.add(http::Verb::get, "/healthz", [](const http::Request&) { return http::Response::text(200, "OK", "ok\n"); });
  router.add_deferred(http::Verb::get, "/readyz", [&services](const http::Request&, http::Router::Reply reply) {
    answer_readiness(services, std::move(reply));
  });
  if (!with_metrics) return;
  router.add_deferred(http::Verb::get, "/metrics", [&services](const http::Request&, http::Router::Reply reply) {
    collect_metrics(services.loops, [&services, reply = std::move(reply)](session::MetricsSnapshot loops) {
      http::Response response = http::Response::text(200, "OK", prometheus_text(loops, services.store.stats()));
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      reply(std::move(response));
    });
  });
}

}  // namespace

http::Router make_router(const RouteServices& services, MainRoutes routes) {
  http::Router router;
  add_probes(router, services, routes.metrics);
  api::add_api_routes(router, services.api);
  if (routes.web) web::add_web_routes(router);
  router.set_fallback([](const http::Request& request) {
    if (request.method() != http::Verb::get)
      return http::Response::text(405, "Method Not Allowed", "only GET is supported\n", "Allow: GET\r\n");
    return http::Response::text(426, "Upgrade Required",
                                "roomkey speaks WebSocket (RFC 6455) here: connect with a WebSocket client\n",
                                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
  });
  return router;
}

http::Router make_metrics_router(const RouteServices& services) {
  http::Router router;
  add_probes(router, services, true);
  router.set_fallback([](const http::Request&) {
    return http::Response::text(404, "Not Found", "this port serves /metrics, /healthz and /readyz only\n");
  });
  return router;
}

}  // namespace rk::net
