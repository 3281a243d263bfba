#pragma once
// The HTTP/1.1 side of RFC 6455 section 4.2, without I/O. Beast parses the
// request; the checklist in handshake.cpp decides the answer: the first rule a
// request breaks picks the HTTP status, and a request that breaks none gets
// 101 Switching Protocols.
#include <cstddef>
#include <string>
#include <string_view>

namespace rk::ws {

struct HandshakeResult {
  enum class Status { kNeedMore, kUpgrade, kReject };
  Status status = Status::kNeedMore;
  std::size_t consumed = 0;  // bytes of the request; what follows are frames
  std::string response;      // complete HTTP response bytes (kUpgrade, kReject)
  std::string_view reason;   // for the log (kReject)
};

inline constexpr std::size_t kMaxRequestHeaderBytes = 8192;

// `input` holds everything received so far on the connection. Returns
// kNeedMore until the whole request header is there.
HandshakeResult process_handshake(std::string_view input);

// base64(SHA-1(key + RFC 6455 GUID)).
std::string compute_accept_key(std::string_view client_key);

}  // namespace rk::ws
