#pragma once
// A list of address ranges (--trusted-proxies): IPv4 and IPv6 addresses and
// CIDR blocks, compared in their 16-byte form (IPv4 as IPv4-mapped IPv6), so
// "10.0.0.0/8" also matches a peer that reaches an IPv6 socket as
// ::ffff:10.1.2.3.
#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/address_key.h"

namespace rk::proxy {

class AddressRanges {
 public:
  // Parses each entry; false (with the bad entry named in `error`) if one
  // is neither an address nor a CIDR block.
  bool add(std::string_view entry, std::string& error);
  bool contains(const sockaddr_storage& address) const;
  bool contains(const AddressKey& address) const;
  bool empty() const { return ranges_.empty(); }

 private:
  struct Range {
    AddressKey base;
    unsigned prefix_bits;  // of the 128
  };
  std::vector<Range> ranges_;
};

// Text to an address (IPv4, IPv6, IPv6 in brackets); false if it is neither.
bool parse_address(std::string_view text, sockaddr_storage& out);

}  // namespace rk::proxy
