#include "proxy/proxy_header.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>
#include <string>

#include "proxy/address_ranges.h"

namespace rk::proxy {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::size_t kV1MaxBytes = 107;
constexpr char kV2Signature[] = "\r\n\r\n\0\r\nQUIT\n";
constexpr std::size_t kV2SignatureBytes = 12;

ProxyHeader invalid(std::string_view why) {
  ProxyHeader header;
  header.status = ProxyHeader::Status::kInvalid;
  header.error = why;
  return header;
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

// "PROXY TCP4 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n".
ProxyHeader parse_v1(std::string_view input) {
  const auto end = input.find("\r\n");
  if (end == std::string_view::npos) {
    if (input.size() >= kV1MaxBytes) return invalid("PROXY v1 line too long");
    if (input.find('\n') != std::string_view::npos) return invalid("PROXY v1 line without CRLF");
    return {};
  }
  if (end + 2 > kV1MaxBytes) return invalid("PROXY v1 line too long");
  std::string_view fields[6];
  std::size_t count = 0;
  std::string_view rest = input.substr(kV1Prefix.size(), end - kV1Prefix.size());
  while (!rest.empty() && count < 6) {
    const auto space = rest.find(' ');
    fields[count++] = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  ProxyHeader header;
  header.status = ProxyHeader::Status::kDone;
  header.consumed = end + 2;
  if (count >= 1 && fields[0] == "UNKNOWN") return header;  // whatever follows is ignored
  if (count != 5 || !rest.empty()) return invalid("PROXY v1 needs protocol, two addresses and two ports");
  const bool v4 = fields[0] == "TCP4";
  if (!v4 && fields[0] != "TCP6") return invalid("PROXY v1 protocol must be TCP4, TCP6 or UNKNOWN");
  sockaddr_storage source{}, destination{};
  std::uint16_t source_port = 0, destination_port = 0;
  if (input.substr(0, end).find('[') != std::string_view::npos || !parse_address(fields[1], source) ||
      !parse_address(fields[2], destination) || source.ss_family != (v4 ? AF_INET : AF_INET6) ||
      destination.ss_family != source.ss_family)
    return invalid("PROXY v1 address does not match its protocol");
  if (!parse_port(fields[3], source_port) || !parse_port(fields[4], destination_port))
    return invalid("PROXY v1 bad port");
  if (v4) {
    reinterpret_cast<sockaddr_in&>(source).sin_port = htons(source_port);
  } else {
    reinterpret_cast<sockaddr_in6&>(source).sin6_port = htons(source_port);
  }
  header.has_source = true;
  header.source = source;
  return header;
}

ProxyHeader parse_v2(std::string_view input) {
  if (input.size() < 16) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  const unsigned version = bytes[12] >> 4, command = bytes[12] & 0x0f;
  if (version != 2) return invalid("PROXY v2 bad version");
  if (command > 1) return invalid("PROXY v2 bad command");
  const std::size_t length = (static_cast<std::size_t>(bytes[14]) << 8) | bytes[15];
  if (length > kMaxProxyV2Payload) return invalid("PROXY v2 header too long");
  if (input.size() < 16 + length) return {};
  ProxyHeader header;
  header.status = ProxyHeader::Status::kDone;
  header.consumed = 16 + length;
  if (command == 0) return header;  // LOCAL: the proxy's own connection
  const unsigned family = bytes[13] >> 4, transport = bytes[13] & 0x0f;
  const unsigned char* address = bytes + 16;
  if (family == 1 && (transport == 1 || transport == 2)) {
    if (length < 12) return invalid("PROXY v2 IPv4 block too short");
    auto& v4 = reinterpret_cast<sockaddr_in&>(header.source);
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, address, 4);
    std::memcpy(&v4.sin_port, address + 8, 2);
    header.has_source = true;
  } else if (family == 2 && (transport == 1 || transport == 2)) {
    if (length < 36) return invalid("PROXY v2 IPv6 block too short");
    auto& v6 = reinterpret_cast<sockaddr_in6&>(header.source);
    v6.sin6_family = AF_INET6;
    std::memcpy(&v6.sin6_addr, address, 16);
    std::memcpy(&v6.sin6_port, address + 32, 2);
    header.has_source = true;
  }  // UNSPEC, unix sockets: no address to use
  return header;
}

}  // namespace

ProxyHeader parse_proxy_header(std::string_view input) {
  const std::string_view v2_signature(kV2Signature, kV2SignatureBytes);
  const std::size_t common = std::min(input.size(), kV2SignatureBytes);
  if (input.substr(0, common) == v2_signature.substr(0, common) && !input.empty()) return parse_v2(input);
  const std::size_t v1_common = std::min(input.size(), kV1Prefix.size());
  if (input.substr(0, v1_common) == kV1Prefix.substr(0, v1_common)) {
    if (input.size() < kV1Prefix.size()) return {};
    return parse_v1(input);
  }
  return invalid("the connection does not start with a PROXY header");
}

}  // namespace rk::proxy
