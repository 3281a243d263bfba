#pragma once
// The browser page and the JavaScript client, built into the binary from
// clients/ (cmake/embed_web_assets.cmake writes the table), so `roomkey
// serve` shows a working page at / with nothing to install and nothing
// fetched from elsewhere.
#include <span>
#include <string_view>

namespace rk::web {

struct WebAsset {
  std::string_view path;          // the URL path it is served at: "/", "/app.js", ...
  std::string_view content_type;
  std::string_view etag;          // quoted, from the file's SHA-256
  std::string_view body;
};

std::span<const WebAsset> web_assets();

}  // namespace rk::web
