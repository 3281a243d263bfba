#pragma once
// A room key is the room's only secret without token auth: logs show its
// first 6 characters, enough to tell rooms apart, never enough to join one.
#include <string>
#include <string_view>

namespace rk::store {

inline std::string redacted_key(std::string_view key) {
  return key.size() <= 6 ? std::string(key.size(), '*') : std::string(key.substr(0, 6)) + "...";
}

}  // namespace rk::store
