// Arbitrary bytes as the start of a connection: the request parser, the
// upgrade checklist and the router must answer need-more, 101 or an HTTP
// response, never crash or over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/http_routes.h"
#include "ws/handshake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const rk::http::Router router = rk::net::make_router();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto result = rk::ws::process_handshake(input);
  using Status = rk::ws::HandshakeResult::Status;
  if (result.status == Status::kNeedMore) return 0;
  if (result.consumed > size) std::abort();
  if (result.status == Status::kPlainHttp) result.response = router.respond(result.request).serialize();
  if (result.response.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  if (result.status == Status::kUpgrade && result.response.rfind("HTTP/1.1 101 ", 0) != 0) std::abort();
  return 0;
}
