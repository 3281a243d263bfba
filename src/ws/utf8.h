#pragma once
#include <cstddef>
#include <string_view>

namespace rk::ws {

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view text);

// How much of `text` ends on a code point boundary: all of it, or all but an
// unfinished multi-byte sequence at its end (which the next fragment may
// complete). Lets a fragmented message be checked as it arrives.
std::size_t complete_utf8_prefix(std::string_view text);

}  // namespace rk::ws
