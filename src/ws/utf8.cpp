#include "ws/utf8.h"

#include <simdjson.h>

namespace rk::ws {

// simdjson's validator is SIMD-accelerated and strict per RFC 3629.
bool is_valid_utf8(std::string_view text) { return simdjson::validate_utf8(text.data(), text.size()); }

}  // namespace rk::ws
