#pragma once
#include <string>
#include <string_view>

namespace rk::protocol {

// Appends `text` (valid UTF-8) as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view text);

inline std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

}  // namespace rk::protocol
