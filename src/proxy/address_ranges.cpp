#include "proxy/address_ranges.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace rk::proxy {

bool parse_address(std::string_view text, sockaddr_storage& out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  out = {};
  auto& v4 = reinterpret_cast<sockaddr_in&>(out);
  if (::inet_pton(AF_INET, buffer, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return true;
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(out);
  if (::inet_pton(AF_INET6, buffer, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return true;
  }
  return false;
}

bool AddressRanges::add(std::string_view entry, std::string& error) {
  const auto slash = entry.find('/');
  sockaddr_storage address{};
  if (!parse_address(entry.substr(0, slash), address)) {
    error = "not an IP address or CIDR block: '" + std::string(entry) + "'";
    return false;
  }
  const bool v4 = address.ss_family == AF_INET;
  unsigned bits = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    const std::string_view length = entry.substr(slash + 1);
    const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), bits);
    if (ec != std::errc() || end != length.data() + length.size() || length.empty() || bits > (v4 ? 32u : 128u)) {
      error = "bad prefix length in '" + std::string(entry) + "'";
      return false;
    }
  }
  ranges_.push_back({address_key(address), v4 ? bits + 96 : bits});
  return true;
}

bool AddressRanges::contains(const AddressKey& address) const {
  for (const Range& range : ranges_) {
    unsigned bits = range.prefix_bits;
    std::size_t i = 0;
    for (; bits >= 8; bits -= 8, ++i)
      if (address[i] != range.base[i]) break;
    if (bits >= 8) continue;  // a whole byte differed
    if (bits == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((address[i] & mask) == (range.base[i] & mask)) return true;
  }
  return false;
}

bool AddressRanges::contains(const sockaddr_storage& address) const {
  if (address.ss_family != AF_INET && address.ss_family != AF_INET6) return false;
  return contains(address_key(address));
}

}  // namespace rk::proxy
