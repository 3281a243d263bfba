#include "proxy/forwarded_for.h"

namespace rk::proxy {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "1.2.3.4", "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]:443".
bool parse_entry(std::string_view entry, sockaddr_storage& out) {
  if (parse_address(entry, out)) return true;
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    return close != std::string_view::npos && parse_address(entry.substr(0, close + 1), out);
  }
  const auto colon = entry.find(':');
  return colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos &&
         parse_address(entry.substr(0, colon), out) && out.ss_family == AF_INET;
}

}  // namespace

std::optional<sockaddr_storage> client_from_forwarded_for(std::string_view header, const AddressRanges& trusted) {
  std::optional<sockaddr_storage> leftmost;
  while (!header.empty()) {
    const auto comma = header.rfind(',');
    const std::string_view entry = trimmed(comma == std::string_view::npos ? header : header.substr(comma + 1));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(0, comma);
    if (entry.empty()) continue;
    sockaddr_storage address{};
    if (!parse_entry(entry, address)) return std::nullopt;
    if (!trusted.contains(address)) return address;
    leftmost = address;  // every one so far a proxy: the client may be one too
  }
  return leftmost;
}

}  // namespace rk::proxy
