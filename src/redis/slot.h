#pragma once
// Redis Cluster's key -> hash slot mapping: CRC16 (XMODEM) of the key, or of
// its hash tag (the part between the first '{' and the next '}', if not
// empty), modulo 16384. Computed once per room, not per command.
#include <cstdint>
#include <string_view>

namespace rk::redis {

inline constexpr std::uint16_t kSlots = 16384;

inline std::uint16_t crc16_xmodem(std::string_view bytes) {
  std::uint16_t crc = 0;
  for (unsigned char byte : bytes) {
    crc ^= static_cast<std::uint16_t>(byte) << 8;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021) : static_cast<std::uint16_t>(crc << 1);
  }
  return crc;
}

inline std::uint16_t key_slot(std::string_view key) {
  const auto open = key.find('{');
  if (open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1) key = key.substr(open + 1, close - open - 1);
  }
  return crc16_xmodem(key) % kSlots;
}

}  // namespace rk::redis
