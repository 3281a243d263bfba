#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <string>

#include "proxy/address_ranges.h"
#include "proxy/forwarded_for.h"
#include "proxy/proxy_header.h"

namespace rk::proxy {
namespace {

std::string text_of(const sockaddr_storage& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, buffer, sizeof buffer);
  else
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, buffer, sizeof buffer);
  return buffer;
}

std::uint16_t port_of(const sockaddr_storage& address) {
  return ntohs(address.ss_family == AF_INET ? reinterpret_cast<const sockaddr_in&>(address).sin_port
                                            : reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
}

sockaddr_storage address(const char* text) {
  sockaddr_storage out{};
  EXPECT_TRUE(parse_address(text, out)) << text;
  return out;
}

AddressRanges ranges(std::initializer_list<const char*> entries) {
  AddressRanges out;
  std::string error;
  for (auto entry : entries) EXPECT_TRUE(out.add(entry, error)) << error;
  return out;
}

TEST(AddressRanges, MatchesAddressesAndCidrBlocksOfBothFamilies) {
  const auto trusted = ranges({"10.0.0.0/8", "192.168.1.7", "fd00::/8", "2001:db8::1", "172.16.0.0/12"});
  EXPECT_TRUE(trusted.contains(address("10.200.3.4")));
  EXPECT_TRUE(trusted.contains(address("::ffff:10.1.1.1")));  // an IPv4 client on an IPv6 socket
  EXPECT_TRUE(trusted.contains(address("192.168.1.7")));
  EXPECT_FALSE(trusted.contains(address("192.168.1.8")));
  EXPECT_TRUE(trusted.contains(address("172.31.255.255")));
  EXPECT_FALSE(trusted.contains(address("172.32.0.1")));
  EXPECT_TRUE(trusted.contains(address("fd12::5")));
  EXPECT_TRUE(trusted.contains(address("2001:db8::1")));
  EXPECT_FALSE(trusted.contains(address("2001:db8::2")));
  EXPECT_FALSE(trusted.contains(address("11.0.0.1")));
  EXPECT_TRUE(ranges({"0.0.0.0/0"}).contains(address("8.8.8.8")));
  AddressRanges bad;
  std::string error;
  for (auto entry : {"10.0.0.0/33", "fd00::/129", "nonsense", "10.0.0.0/", "10.0.0.0/8x", ""})
    EXPECT_FALSE(bad.add(entry, error)) << entry;
  EXPECT_NE(error.find("''"), std::string::npos);
}

TEST(ForwardedFor, TakesTheRightMostAddressThatIsNotATrustedProxy) {
  const auto trusted = ranges({"10.0.0.0/8"});
  auto client = client_from_forwarded_for("6.6.6.6, 203.0.113.9, 10.0.0.2", trusted);
  ASSERT_TRUE(client);
  EXPECT_EQ(text_of(*client), "203.0.113.9");  // 6.6.6.6 was written by the client: not believed
  client = client_from_forwarded_for("203.0.113.9:4567,[2001:db8::5]:443", trusted);
  ASSERT_TRUE(client);
  EXPECT_EQ(text_of(*client), "2001:db8::5");
  client = client_from_forwarded_for("10.0.0.9, 10.0.0.3", trusted);  // all proxies: the left-most
  ASSERT_TRUE(client);
  EXPECT_EQ(text_of(*client), "10.0.0.9");
  EXPECT_FALSE(client_from_forwarded_for("", trusted));
  EXPECT_FALSE(client_from_forwarded_for("unknown, 10.0.0.2", trusted));
}

TEST(ProxyHeader, ReadsVersion1) {
  const std::string line = "PROXY TCP4 203.0.113.9 10.0.0.1 51234 443\r\nGET / HTTP/1.1\r\n";
  for (std::size_t cut = 0; cut < line.find('\n'); ++cut)
    EXPECT_EQ(parse_proxy_header(line.substr(0, cut)).status, ProxyHeader::Status::kNeedMore) << cut;
  auto header = parse_proxy_header(line);
  ASSERT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_EQ(header.consumed, line.find('\n') + 1);
  ASSERT_TRUE(header.has_source);
  EXPECT_EQ(text_of(header.source), "203.0.113.9");
  EXPECT_EQ(port_of(header.source), 51234);
  header = parse_proxy_header("PROXY TCP6 2001:db8::7 2001:db8::1 1 2\r\n");
  ASSERT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_EQ(text_of(header.source), "2001:db8::7");
  header = parse_proxy_header("PROXY UNKNOWN\r\n");
  EXPECT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_FALSE(header.has_source);
  for (auto bad : {"PROXY TCP4 2001:db8::7 10.0.0.1 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
                   "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
                   "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
                   "GET / HTTP/1.1\r\n", "PROXY TCP4 1.2.3.4\n"})
    EXPECT_EQ(parse_proxy_header(bad).status, ProxyHeader::Status::kInvalid) << bad;
  EXPECT_EQ(parse_proxy_header("PROXY " + std::string(200, 'x')).status, ProxyHeader::Status::kInvalid);
}

std::string v2_header(unsigned char command, unsigned char family, const std::string& payload) {
  std::string header("\r\n\r\n\0\r\nQUIT\n", 12);
  header.push_back(static_cast<char>(0x20 | command));
  header.push_back(static_cast<char>(family));
  header.push_back(static_cast<char>(payload.size() >> 8));
  header.push_back(static_cast<char>(payload.size() & 0xff));
  return header + payload;
}

TEST(ProxyHeader, ReadsVersion2) {
  const std::string v4(
      "\xcb\x00\x71\x09"  // 203.0.113.9
      "\x0a\x00\x00\x01"  // 10.0.0.1
      "\xc8\x22\x01\xbb"  // ports 51234, 443
      "\x03\x00\x04\x00\x00\x00\x00",  // a TLV, ignored
      19);
  const std::string input = v2_header(1, 0x11, v4) + "rest";
  for (std::size_t cut = 1; cut < input.size() - 4; ++cut)
    EXPECT_EQ(parse_proxy_header(input.substr(0, cut)).status, ProxyHeader::Status::kNeedMore) << cut;
  auto header = parse_proxy_header(input);
  ASSERT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_EQ(header.consumed, input.size() - 4);
  EXPECT_EQ(text_of(header.source), "203.0.113.9");
  EXPECT_EQ(port_of(header.source), 51234);

  std::string v6(36, '\0');
  v6[0] = '\x20', v6[1] = '\x01', v6[2] = '\x0d', v6[3] = '\xb8', v6[15] = '\x07';
  header = parse_proxy_header(v2_header(1, 0x21, v6));
  ASSERT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_EQ(text_of(header.source), "2001:db8::7");

  header = parse_proxy_header(v2_header(0, 0x00, ""));  // LOCAL: the proxy's own health check
  EXPECT_EQ(header.status, ProxyHeader::Status::kDone);
  EXPECT_FALSE(header.has_source);

  std::string bad_version = v2_header(1, 0x11, v4);
  bad_version[12] = '\x31';
  EXPECT_EQ(parse_proxy_header(bad_version).status, ProxyHeader::Status::kInvalid);
  EXPECT_EQ(parse_proxy_header(v2_header(1, 0x11, std::string(8, '\0'))).status, ProxyHeader::Status::kInvalid);
  EXPECT_EQ(parse_proxy_header(v2_header(1, 0x11, std::string(3000, '\0'))).status, ProxyHeader::Status::kInvalid);
}

}  // namespace
}  // namespace rk::proxy
