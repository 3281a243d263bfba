#pragma once
// A peer's IP address as 16 bytes, for per-address limits: IPv6 as is, IPv4
// (and IPv4-mapped IPv6) as its IPv4-mapped form, so a host counts once
// whichever way it connects. Header-only: used by net (connection limits)
// and session (the key-guessing guard).
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string_view>

namespace rk {

using AddressKey = std::array<std::uint8_t, 16>;

inline AddressKey address_key(const sockaddr_storage& peer) {
  AddressKey key{};
  if (peer.ss_family == AF_INET) {
    key[10] = key[11] = 0xff;
    std::memcpy(key.data() + 12, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, 4);
  } else if (peer.ss_family == AF_INET6) {
    std::memcpy(key.data(), &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
  }
  return key;
}

inline bool is_ipv4_mapped(const AddressKey& key) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(key.data(), kPrefix, sizeof kPrefix) == 0;
}

struct AddressKeyHash {
  std::size_t operator()(const AddressKey& key) const {
    return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  }
};

}  // namespace rk
