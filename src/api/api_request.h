#pragma once
// What the HTTP API reads from a request: the bearer key, the route under
// /api/rooms, the JSON body's fields, the query's numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace rk::api {

// True if `Authorization: Bearer <key>` carries `expected`; compared in
// constant time (digests of both), so the answer's timing tells nothing of
// the key.
bool authorized(const http::Request& request, std::string_view expected);

enum class Action { kCreate, kGet, kDestroy, kPublish, kHistory, kKick };

struct Route {
  Action action;
  std::string key;  // percent-decoded; empty for kCreate
};

// The route of `method` + path under /api/; nullopt with `failure` set (404,
// or 405 naming the methods the path has) otherwise.
std::optional<Route> route_of(http::Verb method, std::string_view path, http::Response& failure);

// The body as a JSON object's fields. An empty body is an empty object. A
// body other than JSON (by Content-Type: 415), or not an object (400), sets
// `failure`.
struct Body {
  std::optional<std::string> owner;
  std::optional<std::string> person;
  std::optional<std::string> id;
  std::optional<std::string> data_json;  // `data`, as JSON text
};
std::optional<Body> read_body(const http::Request& request, http::Response& failure);

// ?name=N as a non-negative integer: `fallback` if absent, nullopt if not a number.
std::optional<std::uint64_t> query_number(std::string_view target, std::string_view name, std::uint64_t fallback);

}  // namespace rk::api
