// Arbitrary bytes as the start of a connection: the request parser, the
// upgrade checklist and the router (the server's own routes on a store that
// answers at once, no loops, the HTTP API off: api_request_fuzzer reads its
// requests) must answer need-more, 101 or an HTTP response at once, never
// crash or over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "net/http_routes.h"
#include "store/store_stats.h"
#include "ws/handshake.h"

namespace {

// Answers every request at once, on the caller's thread: "no such room".
struct InstantStore final : rk::store::RoomStore {
  void submit(rk::store::StoreRequest request, rk::store::StoreCallback done) override {
    request.status = rk::store::StoreStatus::kNotFound;
    done(request);
  }
  void drain() override {}
  std::string describe() const override { return "instant"; }
  rk::store::StoreStats stats() const override { return {}; }
};

const rk::http::Router& router() {
  static InstantStore store;
  static const rk::net::Loops no_loops;
  static const rk::api::ApiSettings api{{store, no_loops}, ""};
  static const rk::net::RouteServices services{store, no_loops, api};
  static const rk::http::Router router = rk::net::make_router(services);
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto result = rk::ws::process_handshake(input);
  using Status = rk::ws::HandshakeResult::Status;
  if (result.status == Status::kNeedMore) return 0;
  if (result.consumed > size) std::abort();
  if (result.status == Status::kPlainHttp) {
    std::optional<rk::http::Response> answer;
    router().respond(result.request, [&answer](rk::http::Response response) { answer = std::move(response); });
    if (!answer) std::abort();
    result.response = answer->serialize();
  }
  if (result.response.rfind("HTTP/1.1 ", 0) != 0) std::abort();
  if (result.status == Status::kUpgrade && result.response.rfind("HTTP/1.1 101 ", 0) != 0) std::abort();
  return 0;
}
