#pragma once
#include <string>
#include <string_view>

namespace rk::room {

// 128 bits from OpenSSL's CSPRNG, URL-safe base64 without padding: 22 chars.
std::string generate_room_key();

// The original schema stores keys as VARCHAR(255); nothing longer can exist.
inline constexpr std::size_t kMaxKeyBytes = 255;

}  // namespace rk::room
