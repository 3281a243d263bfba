#pragma once
// The URL `roomkey connect` dials: ws://HOST[:PORT][/PATH][?QUERY] or wss://...
// Checked before any I/O, so a bad one is a usage error (exit 2), not a
// failed connection.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rk::connect {

struct ConnectUrl {
  bool tls = false;              // wss://
  std::string host;              // a name or an address; an IPv6 one without its brackets
  bool host_is_address = false;  // an IP literal: no SNI, and the certificate must name the address
  std::uint16_t port = 0;        // 80 (ws) or 443 (wss) when the URL names none
  std::string target;            // the request target: path and query, "/" at least
  std::string host_header;       // the Host header: HOST or HOST:PORT, brackets kept

  std::string port_text() const { return std::to_string(port); }
};

struct BadUrl : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws BadUrl, whose message says what is wrong and, for a missing scheme,
// what was probably meant.
ConnectUrl parse_connect_url(std::string_view text);

}  // namespace rk::connect
