#include "ws/frame_parser.h"

#include <cstring>

namespace rk::ws {
namespace {

FrameParseResult violation(CloseCode code, std::string_view reason) {
  FrameParseResult r;
  r.status = ParseStatus::kViolation;
  r.violation = code;
  r.reason = reason;
  return r;
}

bool is_known_opcode(std::uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

}  // namespace

void apply_mask(std::span<char> data, std::uint32_t key) {
  // The key is in wire order, so copying it byte-for-byte into a 64-bit word
  // twice lines it up with the payload bytes whatever the host's endianness.
  unsigned char key_bytes[4];
  std::memcpy(key_bytes, &key, 4);
  std::uint64_t key8;
  unsigned char key8_bytes[8];
  for (int i = 0; i < 8; ++i) key8_bytes[i] = key_bytes[i % 4];
  std::memcpy(&key8, key8_bytes, 8);

  std::size_t i = 0;
  char* p = data.data();
  for (; i + 8 <= data.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, p + i, 8);
    chunk ^= key8;
    std::memcpy(p + i, &chunk, 8);
  }
  for (; i < data.size(); ++i) p[i] = static_cast<char>(p[i] ^ key_bytes[i % 4]);
}

FrameParseResult parse_frame(std::span<char> input, const FrameLimits& limits) {
  if (input.size() < 2) return {};
  const auto b0 = static_cast<std::uint8_t>(input[0]);
  const auto b1 = static_cast<std::uint8_t>(input[1]);
  const bool fin = (b0 & 0x80) != 0;
  const std::uint8_t opcode = b0 & 0x0F;
  const bool masked = (b1 & 0x80) != 0;
  std::uint64_t length = b1 & 0x7F;

  if ((b0 & 0x70) != 0) return violation(CloseCode::kProtocolError, "reserved bits set without an extension");
  if (!is_known_opcode(opcode)) return violation(CloseCode::kProtocolError, "reserved opcode");
  const bool control = (opcode & 0x8) != 0;
  if (control && !fin) return violation(CloseCode::kProtocolError, "fragmented control frame");
  if (control && length > 125) return violation(CloseCode::kProtocolError, "control frame payload over 125 bytes");
  if (limits.require_mask && !masked) return violation(CloseCode::kProtocolError, "client frame not masked");
  if (!limits.require_mask && masked) return violation(CloseCode::kProtocolError, "server frame masked");

  std::size_t header = 2;
  if (length == 126) {
    if (input.size() < 4) return {};
    length = (std::uint64_t{static_cast<std::uint8_t>(input[2])} << 8) | static_cast<std::uint8_t>(input[3]);
    header = 4;
  } else if (length == 127) {
    if (input.size() < 10) return {};
    length = 0;
    for (int i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(input[i]);
    if (length >> 63) return violation(CloseCode::kProtocolError, "64-bit length with the top bit set");
    header = 10;
  }
  if (!control && length > limits.max_payload_bytes) return violation(CloseCode::kMessageTooBig, "message too big");

  std::uint32_t key = 0;
  if (masked) {
    if (input.size() < header + 4) return {};
    std::memcpy(&key, input.data() + header, 4);
    header += 4;
  }
  if (input.size() - header < length) return {};

  FrameParseResult r;
  r.status = ParseStatus::kFrame;
  r.consumed = header + static_cast<std::size_t>(length);
  r.frame.fin = fin;
  r.frame.opcode = static_cast<Opcode>(opcode);
  r.frame.payload = input.subspan(header, static_cast<std::size_t>(length));
  if (masked) apply_mask(r.frame.payload, key);
  return r;
}

}  // namespace rk::ws
