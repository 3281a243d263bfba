#pragma once
// The PROXY protocol header (HAProxy's spec, versions 1 and 2) that a load
// balancer puts in front of a connection to say whose it is. Without I/O:
// give it the bytes received so far.
#include <sys/socket.h>

#include <cstddef>
#include <string_view>

namespace rk::proxy {

struct ProxyHeader {
  enum class Status {
    kNeedMore,  // not complete yet: read more and call again
    kInvalid,   // not a PROXY header, or a broken one: close the connection
    kDone,      // `consumed` bytes were the header; what follows is the client's
  };
  Status status = Status::kNeedMore;
  std::size_t consumed = 0;
  // kDone: the client's address, unless the proxy sent none (v1 UNKNOWN, v2
  // LOCAL, e.g. its own health checks, or a family other than TCP/UDP over
  // IPv4 or IPv6): then the connection keeps the proxy's address.
  bool has_source = false;
  sockaddr_storage source{};
  std::string_view error;  // kInvalid: why, for a debug log line
};

// Longest header accepted: v1's 107 bytes, or v2's 16 plus this many more
// (address and TLVs).
inline constexpr std::size_t kMaxProxyV2Payload = 2048;

ProxyHeader parse_proxy_header(std::string_view input);

}  // namespace rk::proxy
