#include "net/listener.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rk::net {

Listener open_listener(const std::string& host, std::uint16_t port, int quiet_s) {
  Listener listener;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* address = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &address); rc != 0) {
    listener.error = std::string("not a numeric IP address (") + ::gai_strerror(rc) + ")";
    return listener;
  }
  const int fd = ::socket(address->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int on = 1;
  // SO_REUSEADDR only: a restart may bind while old connections sit in
  // TIME_WAIT, but a second server can never share the port by mistake.
  // TCP_NODELAY here: Linux gives it to every accepted socket, which saves a
  // setsockopt() per connection (frames are batched per turn, never small
  // writes waiting for Nagle).
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0 ||
      ::setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &quiet_s, sizeof quiet_s) != 0 || ::bind(fd, address->ai_addr, address->ai_addrlen) != 0 || ::listen(fd, 4096) != 0) {
    listener.error = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(address);
    return listener;
  }
  ::freeaddrinfo(address);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  listener.port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listener.fd = fd;
  return listener;
}

}  // namespace rk::net
