// Arbitrary bytes as the start of a connection from a trusted proxy, and as
// an X-Forwarded-For value and a --trusted-proxies entry. The header parser
// must be consistent with itself: a complete header parses the same from its
// own bytes alone, reports an address of a real family, and "need more" never
// turns into an answer about bytes that were not there.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "proxy/address_ranges.h"
#include "proxy/forwarded_for.h"
#include "proxy/proxy_header.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  using Status = rk::proxy::ProxyHeader::Status;
  const auto header = rk::proxy::parse_proxy_header(input);
  switch (header.status) {
    case Status::kDone: {
      check(header.consumed > 0 && header.consumed <= size);
      check(!header.has_source || header.source.ss_family == AF_INET || header.source.ss_family == AF_INET6);
      const auto again = rk::proxy::parse_proxy_header(input.substr(0, header.consumed));
      check(again.status == Status::kDone && again.consumed == header.consumed);
      break;
    }
    case Status::kNeedMore:
      check(header.consumed == 0 && size < 16 + rk::proxy::kMaxProxyV2Payload);
      if (size > 0) check(rk::proxy::parse_proxy_header(input.substr(0, size - 1)).status == Status::kNeedMore);
      break;
    case Status::kInvalid:
      check(!header.error.empty());
      break;
  }

  static const rk::proxy::AddressRanges trusted = [] {
    rk::proxy::AddressRanges ranges;
    std::string error;
    ranges.add("10.0.0.0/8", error);
    ranges.add("fd00::/8", error);
    return ranges;
  }();
  if (const auto client = rk::proxy::client_from_forwarded_for(input, trusted))
    check(client->ss_family == AF_INET || client->ss_family == AF_INET6);
  rk::proxy::AddressRanges ranges;
  std::string error;
  if (!ranges.add(input, error)) check(!error.empty());
  return 0;
}
