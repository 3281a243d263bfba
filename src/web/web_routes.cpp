#include "web/web_routes.h"

#include "http/request.h"
#include "web/web_assets.h"

namespace rk::web {
namespace {

// The page loads only its own files and talks only to this server's
// WebSocket: a policy that says so keeps an injected script from doing more.
constexpr std::string_view kPagePolicy =
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";

std::string common_headers(const WebAsset& asset) {
  std::string headers;
  headers += "Cache-Control: no-cache\r\n";  // revalidated every time: an upgraded server serves its own page
  headers += "ETag: ";
  headers += asset.etag;
  headers += "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  if (asset.content_type.starts_with("text/html")) headers += kPagePolicy;
  return headers;
}

http::Response serve(const WebAsset& asset, const http::Request& request) {
  http::Response response;
  response.headers = common_headers(asset);
  const auto if_none_match = request.find(http::Field::if_none_match);
  if (if_none_match != request.end() && http::has_token(if_none_match->value(), asset.etag)) {
    response.status = 304;
    response.reason = "Not Modified";
    response.content_type.clear();
    return response;
  }
  response.content_type = std::string(asset.content_type);
  response.body = std::string(asset.body);
  return response;
}

}  // namespace

void add_web_routes(http::Router& router) {
  for (const WebAsset& asset : web_assets()) {
    router.add(http::Verb::get, std::string(asset.path),
               [&asset](const http::Request& request) { return serve(asset, request); });
  }
}

}  // namespace rk::web
