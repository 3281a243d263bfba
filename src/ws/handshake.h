#pragma once
// The WebSocket side of RFC 6455 section 4.2, without I/O. http::parse_request
// reads the request; the checklist in handshake.cpp decides what an upgrade
// request gets: the first rule it breaks picks the HTTP status, and a request
// that breaks none gets 101 Switching Protocols. A request that does not ask
// for an upgrade is handed back for the HTTP router to answer.
#include <cstddef>
#include <string>
#include <string_view>

#include "http/request.h"

namespace rk::ws {

struct HandshakeResult {
  enum class Status {
    kNeedMore,
    kUpgrade,    // response: 101; frames follow `consumed`
    kReject,     // response: an HTTP error, then close
    kPlainHttp,  // a complete request without Upgrade: websocket, in `request`
  };
  Status status = Status::kNeedMore;
  std::size_t consumed = 0;  // bytes of the request; what follows are frames
  std::size_t needed = 0;    // kNeedMore: the request's whole size, once its header is known
  std::string response;      // complete HTTP response bytes (kUpgrade, kReject)
  std::string_view reason;   // for the log (kReject)
  http::Request request;     // kPlainHttp, kUpgrade
};

inline constexpr std::size_t kMaxRequestHeaderBytes = http::kMaxHeaderBytes;

// `input` holds everything received so far on the connection. Returns
// kNeedMore until the whole request is there.
HandshakeResult process_handshake(std::string_view input, std::size_t max_body_bytes = http::kMaxBodyBytes);

// base64(SHA-1(key + RFC 6455 GUID)).
std::string compute_accept_key(std::string_view client_key);

}  // namespace rk::ws
