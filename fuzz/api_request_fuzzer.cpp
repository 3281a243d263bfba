// The HTTP API's reading of a request: route, bearer key, JSON body, query.
// Input: one byte for the method, then the target up to '\n', then the
// Authorization header up to '\n', then the body. Invariants: a route found
// has a key of 1..255 bytes (none for a create); every refusal is an error
// status with a JSON body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/api_request.h"
#include "http/router.h"

namespace {

constexpr rk::http::Verb kMethods[] = {rk::http::Verb::get, rk::http::Verb::post, rk::http::Verb::delete_,
                                       rk::http::Verb::put, rk::http::Verb::patch};

std::string_view line(std::string_view& input) {
  const std::size_t end = input.find('\n');
  const std::string_view taken = input.substr(0, end);
  input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  return taken;
}

void check_refusal(const rk::http::Response& failure) {
  if (failure.status < 400 || failure.content_type != "application/json" || failure.body.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const rk::http::Verb method = kMethods[data[0] % std::size(kMethods)];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view target = line(input);
  const std::string_view authorization = line(input);
  rk::http::Request request{method, target, 11};
  request.set(rk::http::Field::authorization, authorization);
  request.set(rk::http::Field::content_type, "application/json");
  request.body() = std::string(input);

  (void)rk::api::authorized(request, "the-key-of-sixteen-chars");
  rk::http::Response failure;
  const auto route = rk::api::route_of(method, rk::http::path_of(target), failure);
  if (route) {
    const bool create = route->action == rk::api::Action::kCreate;
    if (create != route->key.empty() || route->key.size() > 255) std::abort();
  } else {
    check_refusal(failure);
  }
  if (!rk::api::read_body(request, failure)) check_refusal(failure);
  (void)rk::api::query_number(target, "since", 0);
  return 0;
}
