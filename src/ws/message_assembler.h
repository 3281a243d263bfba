#pragma once
// Turns a stream of parsed frames into messages and control events: it joins
// fragments, enforces the message size limit across fragments, checks that
// text is UTF-8, and checks the fragmentation and close-frame rules.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/lazy_string.h"
#include "ws/close_code.h"
#include "ws/frame_parser.h"

namespace rk::ws {

struct WsEvent {
  enum class Kind {
    kNone,       // a non-final fragment was absorbed
    kText,       // payload: one complete, valid UTF-8 message
    kBinary,     // payload: one complete message
    kPing,       // payload: to echo in a pong
    kPong,
    kClose,      // close_code (kNoStatus when the frame had none), payload = reason
    kViolation,  // close_code to close with, payload = reason
  };
  Kind kind = Kind::kNone;
  std::string_view payload;  // valid until the next on_frame() call
  CloseCode close_code = CloseCode::kNormal;
  std::uint16_t peer_close_code = 0;  // the raw code the peer sent, for kClose
};

class MessageAssembler {
 public:
  explicit MessageAssembler(std::size_t max_message_bytes)
      : max_message_bytes_(static_cast<std::uint32_t>(std::min<std::size_t>(max_message_bytes, UINT32_MAX))) {}

  WsEvent on_frame(const Frame& frame);
  // Bytes of an unfinished fragmented message held so far.
  std::size_t buffered_bytes() const { return in_fragmented_message_ ? fragments_.size() : 0; }
  std::size_t max_message_bytes() const { return max_message_bytes_; }

 private:
  WsEvent on_data_frame(const Frame& frame);
  static WsEvent on_close_frame(const Frame& frame);
  WsEvent complete(Opcode opcode, std::string_view unchecked, std::string_view payload);
  bool fragments_so_far_valid();

  // Every connection holds one: the fields are packed (no holes), and a
  // message is at most 64 MiB, so 32 bits count its bytes.
  LazyString fragments_;
  std::uint32_t utf8_checked_ = 0;  // bytes of fragments_ known to be valid UTF-8
  std::uint32_t max_message_bytes_;
  bool in_fragmented_message_ = false;
  Opcode fragmented_opcode_ = Opcode::kText;
  bool release_fragments_ = false;  // the last event pointed into fragments_
};

}  // namespace rk::ws
