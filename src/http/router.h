#pragma once
// Answers the HTTP requests that are not WebSocket upgrades, by method and
// path: `/healthz`, `/readyz`, `/metrics`, the HTTP API. Built once at
// startup and then only read, so every loop thread may share one. A handler
// answers at once or later (after asking the store or other loops): through
// its Reply, which the caller makes safe to call from any thread, once.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"
#include "http/response.h"

namespace rk::http {

class Router {
 public:
  using Handler = std::function<Response(const Request&)>;
  using Reply = std::function<void(Response)>;
  using DeferredHandler = std::function<void(const Request&, Reply)>;

  // `path` is matched exactly, without the query string.
  void add(Verb method, std::string path, Handler handler);
  void add_deferred(Verb method, std::string path, DeferredHandler handler);
  // Every method and every path under `prefix` (a tree of routes the handler
  // tells apart itself, as the HTTP API's /api/rooms/KEY/...).
  void add_prefix(std::string prefix, DeferredHandler handler);
  // For a path no route has: the server's own answer (roomkey points plain
  // HTTP clients at WebSocket).
  void set_fallback(Handler handler) { fallback_ = std::move(handler); }

  // A known path with another method gets 405 listing the methods it has.
  void respond(const Request& request, Reply reply) const;

 private:
  struct Route {
    Verb method;
    std::string path;
    DeferredHandler handler;
  };
  std::vector<Route> routes_;  // a handful: a linear scan beats a map
  std::vector<std::pair<std::string, DeferredHandler>> prefixes_;
  Handler fallback_;
};

// The path of a request target, without its query string.
std::string_view path_of(std::string_view target);
// The value of `name` in the target's query string, as sent (not
// percent-decoded); empty if absent.
std::string_view query_parameter(std::string_view target, std::string_view name);

}  // namespace rk::http
