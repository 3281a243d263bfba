#pragma once
// X-Forwarded-For, as a proxy in --trusted-proxies reports it: each proxy
// appends the address it saw, so reading from the right, the first address
// that is not itself a trusted proxy is the client. Anything to its left was
// written by the client and proves nothing.
#include <sys/socket.h>

#include <optional>
#include <string_view>

#include "proxy/address_ranges.h"

namespace rk::proxy {

// `header`: the X-Forwarded-For values in order, joined by commas. Nothing if
// it is empty, or an entry that must be read is not an address.
std::optional<sockaddr_storage> client_from_forwarded_for(std::string_view header, const AddressRanges& trusted);

}  // namespace rk::proxy
