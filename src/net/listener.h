#pragma once
#include <cstdint>
#include <string>

namespace rk::net {

struct Listener {
  int fd = -1;
  std::uint16_t port = 0;  // the bound port (meaningful for --port 0)
  std::string error;       // set when fd < 0
};

// A non-blocking listening TCP socket on host:port. Its connections are
// accepted only once the client has sent something (TCP_DEFER_ACCEPT), or
// after `quiet_s` seconds of silence: every client here speaks first (an
// HTTP request, a ClientHello, a PROXY header), so the loop is woken once
// per new connection, not once for the connection and again for its
// request; a client that sends nothing costs the loop nothing.
Listener open_listener(const std::string& host, std::uint16_t port, int quiet_s);

}  // namespace rk::net
