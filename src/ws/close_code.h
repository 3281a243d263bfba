#pragma once
#include <cstdint>

namespace rk::ws {

// Close status codes this server sends (RFC 6455 section 7.4.1).
enum class CloseCode : std::uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kUnsupportedData = 1003,
  kNoStatus = 1005,  // never on the wire: "the close frame had no code"
  kInvalidPayload = 1007,
  kPolicyViolation = 1008,
  kMessageTooBig = 1009,
  kInternalError = 1011,
  kTryAgainLater = 1013,
};

// Whether a peer may put `code` in a close frame: the registered codes that
// are not reserved for local use, plus the 3000-4999 application range.
bool is_valid_close_code_on_wire(std::uint16_t code);

}  // namespace rk::ws
