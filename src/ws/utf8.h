#pragma once
#include <string_view>

namespace rk::ws {

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace rk::ws
