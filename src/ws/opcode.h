#pragma once
#include <cstdint>

namespace rk::ws {

// RFC 6455 section 5.2.
enum class Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

inline bool is_control(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

}  // namespace rk::ws
