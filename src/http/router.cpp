#include "http/router.h"

#include <boost/beast/http/verb.hpp>

namespace rk::http {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view query_parameter(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) == name) return equals == std::string_view::npos ? "" : pair.substr(equals + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

void Router::add(Verb method, std::string path, Handler handler) {
  add_deferred(method, std::move(path),
               [handler = std::move(handler)](const Request& request, Reply reply) { reply(handler(request)); });
}

void Router::add_deferred(Verb method, std::string path, DeferredHandler handler) {
  routes_.push_back({method, std::move(path), std::move(handler)});
}

void Router::add_prefix(std::string prefix, DeferredHandler handler) {
  prefixes_.emplace_back(std::move(prefix), std::move(handler));
}

void Router::respond(const Request& request, Reply reply) const {
  const std::string_view path = path_of(request.target());
  for (const auto& [prefix, handler] : prefixes_) {
    if (path.starts_with(prefix)) return handler(request, std::move(reply));
  }
  std::string allowed;
  for (const Route& route : routes_) {
    if (route.path != path) continue;
    if (route.method == request.method()) return route.handler(request, std::move(reply));
    if (!allowed.empty()) allowed.append(", ");
    allowed.append(boost::beast::http::to_string(route.method));
  }
  if (!allowed.empty())
    return reply(
        Response::text(405, "Method Not Allowed", "use " + allowed + " here\n", "Allow: " + allowed + "\r\n"));
  if (fallback_) return reply(fallback_(request));
  reply(Response::text(404, "Not Found", "no such path\n"));
}

}  // namespace rk::http
