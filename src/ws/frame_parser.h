#pragma once
// Sans-I/O parser for one client-to-server WebSocket frame. It takes the bytes
// received so far and answers need-more, one complete frame (unmasked in
// place), or a violation with the close code it calls for. The server, the
// unit tests and the fuzzer all run this same code.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ws/close_code.h"
#include "ws/opcode.h"

namespace rk::ws {

struct FrameLimits {
  // For data frames: what the message may still grow by (the limit minus the
  // fragments already received), so that a too-big fragment is refused from
  // its header, before its payload arrives.
  std::uint64_t max_payload_bytes = 1 << 20;
  bool require_mask = true;  // RFC 6455 5.1: clients must mask every frame
};

struct Frame {
  bool fin = false;
  Opcode opcode = Opcode::kContinuation;
  std::span<char> payload;  // already unmasked
};

enum class ParseStatus { kNeedMore, kFrame, kViolation };

struct FrameParseResult {
  ParseStatus status = ParseStatus::kNeedMore;
  std::size_t consumed = 0;  // bytes of `input` that the frame occupied
  Frame frame;
  CloseCode violation = CloseCode::kProtocolError;
  std::string_view reason;  // why, for the close frame and the log
};

// Parses the frame at the start of `input`. On kFrame the payload bytes in
// `input` are unmasked in place. Lengths are checked against the limit before
// the caller ever buffers the payload.
FrameParseResult parse_frame(std::span<char> input, const FrameLimits& limits);

// XORs `data` with the 4-byte masking key, starting at key position 0.
void apply_mask(std::span<char> data, std::uint32_t key_bytes_in_wire_order);

}  // namespace rk::ws
