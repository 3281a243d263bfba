#include "ws/message_assembler.h"

#include "ws/utf8.h"

namespace rk::ws {
namespace {

WsEvent violation(CloseCode code, std::string_view reason) {
  WsEvent e;
  e.kind = WsEvent::Kind::kViolation;
  e.close_code = code;
  e.payload = reason;
  return e;
}

WsEvent invalid_utf8() { return violation(CloseCode::kInvalidPayload, "text message is not valid UTF-8"); }

}  // namespace

WsEvent MessageAssembler::on_frame(const Frame& frame) {
  if (release_fragments_) {
    release_fragments_ = false;
    fragments_.clear();
  }
  WsEvent e;
  switch (frame.opcode) {
    case Opcode::kPing:
      e.kind = WsEvent::Kind::kPing;
      e.payload = {frame.payload.data(), frame.payload.size()};
      return e;
    case Opcode::kPong:
      e.kind = WsEvent::Kind::kPong;
      return e;
    case Opcode::kClose:
      return on_close_frame(frame);
    default:
      return on_data_frame(frame);
  }
}

WsEvent MessageAssembler::on_data_frame(const Frame& frame) {
  const std::string_view payload(frame.payload.data(), frame.payload.size());
  if (frame.opcode == Opcode::kContinuation) {
    if (!in_fragmented_message_) return violation(CloseCode::kProtocolError, "continuation frame without a message");
    if (fragments_.size() + payload.size() > max_message_bytes_)
      return violation(CloseCode::kMessageTooBig, "message too big");
    fragments_.append(payload);
    if (!frame.fin) return fragments_so_far_valid() ? WsEvent{} : invalid_utf8();
    in_fragmented_message_ = false;
    release_fragments_ = true;
    return complete(fragmented_opcode_, fragments_.view().substr(utf8_checked_), fragments_.view());
  }
  if (in_fragmented_message_) return violation(CloseCode::kProtocolError, "new message inside a fragmented one");
  if (frame.fin) return complete(frame.opcode, payload, payload);
  in_fragmented_message_ = true;
  fragmented_opcode_ = frame.opcode;
  fragments_.assign(payload);
  utf8_checked_ = 0;
  return fragments_so_far_valid() ? WsEvent{} : invalid_utf8();
}

// Text is checked fragment by fragment, so a message that goes bad early is
// refused at once rather than after the sender finishes (or never does).
bool MessageAssembler::fragments_so_far_valid() {
  if (fragmented_opcode_ != Opcode::kText) return true;
  const std::string_view unchecked = fragments_.view().substr(utf8_checked_);
  const std::size_t complete_bytes = complete_utf8_prefix(unchecked);
  if (!is_valid_utf8(unchecked.substr(0, complete_bytes))) return false;
  utf8_checked_ += static_cast<std::uint32_t>(complete_bytes);
  return true;
}

// `unchecked`: the part of `payload` not yet known to be valid UTF-8.
WsEvent MessageAssembler::complete(Opcode opcode, std::string_view unchecked, std::string_view payload) {
  WsEvent e;
  if (opcode == Opcode::kText) {
    if (!is_valid_utf8(unchecked)) return invalid_utf8();
    e.kind = WsEvent::Kind::kText;
  } else {
    e.kind = WsEvent::Kind::kBinary;
  }
  e.payload = payload;
  return e;
}

WsEvent MessageAssembler::on_close_frame(const Frame& frame) {
  const std::string_view payload(frame.payload.data(), frame.payload.size());
  WsEvent e;
  e.kind = WsEvent::Kind::kClose;
  if (payload.empty()) {
    e.close_code = CloseCode::kNoStatus;
    return e;
  }
  if (payload.size() == 1) return violation(CloseCode::kProtocolError, "close frame with a 1-byte payload");
  const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                               static_cast<std::uint8_t>(payload[1]));
  if (!is_valid_close_code_on_wire(code)) return violation(CloseCode::kProtocolError, "invalid close code");
  const std::string_view reason = payload.substr(2);
  if (!is_valid_utf8(reason)) return violation(CloseCode::kInvalidPayload, "close reason is not valid UTF-8");
  e.close_code = CloseCode::kNormal;
  e.peer_close_code = code;
  e.payload = reason;
  return e;
}

}  // namespace rk::ws
