#include "ws/utf8.h"

#include <simdjson.h>

namespace rk::ws {

// simdjson's validator is SIMD-accelerated and strict per RFC 3629.
bool is_valid_utf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

std::size_t complete_utf8_prefix(std::string_view text) {
  // A sequence is at most 4 bytes, so an unfinished one starts within the
  // last 3. Bytes that cannot lead a sequence are left to the validator.
  const std::size_t size = text.size();
  for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
    const auto byte = static_cast<unsigned char>(text[size - back]);
    if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
    return length > back ? size - back : size;
  }
  return size;
}

}  // namespace rk::ws
