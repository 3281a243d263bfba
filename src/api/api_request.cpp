#include "api/api_request.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api/api_reply.h"
#include "http/router.h"
#include "room/room_key.h"
#include "util/percent_decode.h"

namespace rk::api {
namespace {

constexpr std::string_view kRooms = "/api/rooms";

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

http::Response not_allowed(std::string_view allowed) {
  return error(405, "method_not_allowed", "use " + std::string(allowed) + " here",
               "Allow: " + std::string(allowed) + "\r\n");
}

struct Shape {
  std::string_view suffix;  // after /KEY
  http::Verb method;
  Action action;
};

// The routes under /api/rooms/KEY, and the second method a path may have.
constexpr Shape kShapes[] = {
    {"", http::Verb::get, Action::kGet},
    {"", http::Verb::delete_, Action::kDestroy},
    {"/publish", http::Verb::post, Action::kPublish},
    {"/history", http::Verb::get, Action::kHistory},
    {"/kick", http::Verb::post, Action::kKick},
};

bool read_string(simdjson::dom::element value, std::string_view name, std::optional<std::string>& out,
                 http::Response& failure) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    failure = bad_request("'" + std::string(name) + "' must be a string");
    return false;
  }
  out = std::string(text);
  return true;
}

bool is_json(const http::Request& request) {
  const std::string_view type(request[http::Field::content_type]);
  return equal_ignoring_case(trimmed(type.substr(0, type.find(';'))), "application/json");
}

}  // namespace

bool authorized(const http::Request& request, std::string_view expected) {
  const std::string_view header = trimmed(std::string_view(request[http::Field::authorization]));
  const std::size_t space = header.find(' ');
  if (space == std::string_view::npos || !equal_ignoring_case(header.substr(0, space), "Bearer")) return false;
  const std::string_view given = trimmed(header.substr(space + 1));
  unsigned char given_digest[SHA256_DIGEST_LENGTH];
  unsigned char expected_digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), given_digest);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), expected_digest);
  return CRYPTO_memcmp(given_digest, expected_digest, SHA256_DIGEST_LENGTH) == 0;
}

std::optional<Route> route_of(http::Verb method, std::string_view path, http::Response& failure) {
  failure = error(404, "not_found", "no such API path (see docs/operations.md, \"HTTP API\")");
  if (!path.starts_with(kRooms)) return std::nullopt;
  std::string_view rest = path.substr(kRooms.size());
  if (rest.empty() || rest == "/") {
    if (method == http::Verb::post) return Route{Action::kCreate, {}};
    failure = not_allowed("POST");
    return std::nullopt;
  }
  if (rest.front() != '/') return std::nullopt;
  rest.remove_prefix(1);
  const std::size_t slash = rest.find('/');
  const std::string_view encoded_key = rest.substr(0, slash);
  const std::string_view suffix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string allowed;
  for (const Shape& shape : kShapes) {
    if (shape.suffix != suffix) continue;
    if (shape.method == method) {
      const auto key = percent_decode(encoded_key);
      if (!key || key->empty() || key->size() > room::kMaxKeyBytes) {
        failure = room_not_found();
        return std::nullopt;
      }
      return Route{shape.action, *key};
    }
    allowed += allowed.empty() ? "" : ", ";
    allowed += boost::beast::http::to_string(shape.method);
  }
  if (!allowed.empty()) failure = not_allowed(allowed);
  return std::nullopt;
}

std::optional<Body> read_body(const http::Request& request, http::Response& failure) {
  Body body;
  if (request.body().empty()) return body;
  if (!is_json(request)) {
    failure = error(415, "unsupported_media_type", "send the body as Content-Type: application/json");
    return std::nullopt;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  const auto parsed = parser.parse(request.body().data(), request.body().size());
  if (parsed.error() != simdjson::SUCCESS) {
    failure = bad_request("the body is not valid JSON");
    return std::nullopt;
  }
  if (parsed.get_object().get(object) != simdjson::SUCCESS) {
    failure = bad_request("the body must be a JSON object");
    return std::nullopt;
  }
  for (const auto field : object) {
    const std::string_view name = field.key;
    bool ok = true;
    if (name == "owner") {
      ok = read_string(field.value, name, body.owner, failure);
    } else if (name == "person") {
      ok = read_string(field.value, name, body.person, failure);
    } else if (name == "id") {
      ok = read_string(field.value, name, body.id, failure);
    } else if (name == "data") {
      body.data_json = simdjson::minify(field.value);
    } else {
      failure = bad_request("'" + std::string(name) + "' is not a field of the HTTP API");
      ok = false;
    }
    if (!ok) return std::nullopt;
  }
  return body;
}

std::optional<std::uint64_t> query_number(std::string_view target, std::string_view name, std::uint64_t fallback) {
  const std::string_view text = http::query_parameter(target, name);
  if (text.empty()) return target.find(std::string(name) + "=") == std::string_view::npos
                               ? std::optional<std::uint64_t>(fallback)
                               : std::nullopt;
  std::uint64_t value = 0;
  const auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (problem != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace rk::api
