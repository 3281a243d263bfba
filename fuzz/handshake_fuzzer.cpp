// Arbitrary bytes as the start of a connection: the upgrade checklist must
// answer need-more, 101 or an HTTP error, never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ws/handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto result = rk::ws::process_handshake(input);
  using Status = rk::ws::HandshakeResult::Status;
  if (result.status != Status::kNeedMore) {
    if (result.consumed > size) std::abort();
    if (result.response.rfind("HTTP/1.1 ", 0) != 0) std::abort();
    if (result.status == Status::kUpgrade && result.response.rfind("HTTP/1.1 101 ", 0) != 0) std::abort();
  }
  return 0;
}
