#include "room/room_key.h"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace rk::room {

namespace {

template <std::size_t N>
std::string random_text() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, N> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("the system random number generator failed");
  std::string key;
  key.reserve((N * 8 + 5) / 6);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      key.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) key.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return key;
}

}  // namespace

std::string generate_room_key() { return random_text<16>(); }

std::string generate_epoch() { return random_text<8>(); }

}  // namespace rk::room
