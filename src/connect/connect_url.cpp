#include "connect/connect_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace rk::connect {
namespace {

namespace urls = boost::urls;

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw BadUrl("bad URL '" + std::string(text) + "': " + why);
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

ConnectUrl parse_connect_url(std::string_view text) {
  if (text.find("://") == std::string_view::npos)
    fail(text, "it must start with ws:// or wss:// (did you mean ws://" + std::string(text) + " ?)");
  const auto parsed = urls::parse_uri(text);
  if (!parsed) fail(text, "not a URL (" + parsed.error().message() + ")");
  const urls::url_view url = *parsed;

  ConnectUrl out;
  const std::string scheme = lowercase(url.scheme());
  if (scheme == "wss") {
    out.tls = true;
  } else if (scheme == "http" || scheme == "https") {
    fail(text, "a WebSocket URL starts with ws:// or wss://, not " + scheme + "://");
  } else if (scheme != "ws") {
    fail(text, "unknown scheme '" + scheme + "': use ws:// or wss://");
  }
  if (url.has_userinfo()) fail(text, "a user or password in the URL is not supported (use --token)");
  if (url.has_fragment()) fail(text, "a WebSocket URL has no #fragment");

  switch (url.host_type()) {
    case urls::host_type::name:
      out.host = url.encoded_host().decode();
      break;
    case urls::host_type::ipv4:
    case urls::host_type::ipv6:
      out.host = url.host_address();  // an IPv6 address without its brackets
      out.host_is_address = true;
      break;
    default:
      break;
  }
  if (out.host.empty()) fail(text, "no host");

  out.port = out.tls ? 443 : 80;
  if (url.has_port()) {
    const std::string_view port = url.port();
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      fail(text, "the port must be a number from 1 to 65535");
    out.port = static_cast<std::uint16_t>(value);
  }

  out.target = url.encoded_path();
  // Boost.URL 1.81 takes "ws://host:80x" for port 80 and path "x".
  if (!out.target.empty() && out.target.front() != '/') fail(text, "not a URL (junk after the host or port)");
  if (out.target.empty()) out.target = "/";
  if (url.has_query()) out.target += "?" + std::string(url.encoded_query());

  out.host_header = url.encoded_host();
  if (url.has_port()) out.host_header += ":" + out.port_text();
  return out;
}

}  // namespace rk::connect
