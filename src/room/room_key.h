#pragma once
#include <string>
#include <string_view>

namespace rk::room {

// 128 bits from OpenSSL's CSPRNG, URL-safe base64 without padding: 22 chars.
std::string generate_room_key();

// 64 random bits, the same alphabet: 11 chars. A room's sequence gets a new
// one whenever it restarts, so an offset of the old one is never taken for
// an offset of the new.
std::string generate_epoch();

// The original schema stores keys as VARCHAR(255); nothing longer can exist.
inline constexpr std::size_t kMaxKeyBytes = 255;

}  // namespace rk::room
