#pragma once
#include <cstdint>
#include <string>

namespace rk::net {

struct Listener {
  int fd = -1;
  std::uint16_t port = 0;  // the bound port (meaningful for --port 0)
  std::string error;       // set when fd < 0
};

// A non-blocking listening TCP socket on host:port.
Listener open_listener(const std::string& host, std::uint16_t port);

}  // namespace rk::net
