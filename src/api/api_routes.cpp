#include "api/api_routes.h"

#include <fstream>

#include "api/api_reply.h"
#include "api/api_request.h"

namespace rk::api {
namespace {

constexpr std::size_t kMinimumKeyLength = 16;
constexpr std::uint64_t kDefaultHistoryLimit = 100;
constexpr std::size_t kMaxOwnerBytes = 255;  // the stores' owner column (MariaDB: VARCHAR(255))

// Which body fields each call takes: a field meant for another call is a
// mistake worth saying.
bool takes_only(const Body& body, bool owner, bool person, bool id, bool data, http::Response& failure) {
  const char* stray = (body.owner && !owner)     ? "owner"
                      : (body.person && !person) ? "person"
                      : (body.id && !id)         ? "id"
                      : (body.data_json && !data) ? "data"
                                                  : nullptr;
  if (stray) failure = bad_request("'" + std::string(stray) + "' is not a field of this request");
  return stray == nullptr;
}

void dispatch(const ApiSettings& api, const http::Request& request, Route route, Body body, Reply reply) {
  http::Response failure;
  const ApiContext& context = api.context;
  switch (route.action) {
    case Action::kCreate:
      if (!takes_only(body, true, false, false, false, failure)) return reply(failure);
      if (body.owner && body.owner->size() > kMaxOwnerBytes)
        return reply(bad_request("'owner' is longer than " + std::to_string(kMaxOwnerBytes) + " bytes"));
      return create_room(context, body.owner.value_or(""), std::move(reply));
    case Action::kGet:
    case Action::kDestroy:
    case Action::kHistory:
      if (!takes_only(body, false, false, false, false, failure)) return reply(failure);
      break;
    case Action::kPublish:
      if (!takes_only(body, false, true, false, true, failure)) return reply(failure);
      if (!body.data_json) return reply(bad_request("'data' is required: the message to publish, any JSON value"));
      return publish(context, std::move(route.key), body.person.value_or("server"), std::move(*body.data_json),
                     std::move(reply));
    case Action::kKick:
      if (!takes_only(body, false, true, true, false, failure)) return reply(failure);
      if (body.id.has_value() == body.person.has_value())
        return reply(bad_request("give one of 'id' (a member) or 'person' (everyone of that name)"));
      return kick(context, std::move(route.key), std::move(body.id), std::move(body.person), std::move(reply));
  }
  if (route.action == Action::kGet) return describe_room(context, std::move(route.key), std::move(reply));
  if (route.action == Action::kDestroy) return destroy_room(context, std::move(route.key), std::move(reply));
  const auto since = query_number(request.target(), "since", 0);
  const auto limit = query_number(request.target(), "limit", kDefaultHistoryLimit);
  if (!since || !limit) return reply(bad_request("'since' and 'limit' must be non-negative integers"));
  history(context, std::move(route.key), *since, *limit, std::move(reply));
}

}  // namespace

void add_api_routes(http::Router& router, const ApiSettings& api) {
  router.add_prefix("/api/", [&api](const http::Request& request, Reply reply) {
    if (api.key.empty()) return reply(error(404, "not_found", "the HTTP API is off (see --api-key-file)"));
    if (!authorized(request, api.key))
      return reply(error(401, "unauthorized", "send the API key as 'Authorization: Bearer KEY'",
                         "WWW-Authenticate: Bearer realm=\"roomkey\"\r\n"));
    http::Response failure;
    auto route = route_of(request.method(), http::path_of(request.target()), failure);
    if (!route) return reply(failure);
    auto body = read_body(request, failure);
    if (!body) return reply(failure);
    dispatch(api, request, std::move(*route), std::move(*body), std::move(reply));
  });
}

std::string load_api_key(const std::string& path, std::string& error) {
  std::ifstream file(path);
  std::string key;
  if (!file || !std::getline(file, key)) {
    error = "--api-key-file: cannot read '" + path + "'";
    return {};
  }
  while (!key.empty() && (key.back() == '\r' || key.back() == ' ' || key.back() == '\t')) key.pop_back();
  if (key.size() < kMinimumKeyLength) {
    error = "--api-key-file: the key (the file's first line) must have " + std::to_string(kMinimumKeyLength) +
            " characters or more";
    return {};
  }
  return key;
}

}  // namespace rk::api
