#include "bench/bench_messages.h"

#include <cstdio>

#include "bench/bench_support.h"

namespace rk::bench {

std::string init_message(int protocol, std::string_view person, std::string_view join_key,
                         const std::optional<Resume>& since, std::string_view token) {
  std::string json = protocol == 2 ? R"({"type":"init","v":2,"person":")" : R"({"type":"init","person":")";
  json.append(person).append("\"");
  if (!join_key.empty()) json.append(R"(,"join":")").append(join_key).append("\"");
  if (!token.empty()) json.append(R"(,"token":")").append(token).append("\"");
  if (since) {
    json.append(R"(,"since":{"epoch":")").append(since->epoch).append(R"(","offset":)");
    json.append(std::to_string(since->offset)).append("}");
  }
  return json + "}";
}

std::string location_message(int protocol, std::string_view person, int client, std::int64_t now_us,
                             std::uint64_t id) {
  // Both protocols carry the same coordinates, written as fractions because
  // v2 checks their ranges, so a v1/v2 comparison moves the same payload.
  char coordinates[96];
  const int n = std::snprintf(coordinates, sizeof coordinates, R"("latitude":0.%09d,"longitude":0.%015lld)", client,
                              static_cast<long long>(now_us));
  const std::string_view fields(coordinates, static_cast<std::size_t>(n));
  std::string json = R"({"type":"Location Data",)";
  if (protocol == 2) return json.append(fields).append(R"(,"id":)").append(std::to_string(id)).append("}");
  json.append(R"("person":")").append(person).append("\",");
  return json.append(fields).append("}");
}

JoinedReply parse_joined(std::string_view json) {
  JoinedReply reply;
  std::int64_t offset = 0;
  const auto epoch_at = json.find("\"epoch\":\"");
  if (epoch_at == std::string_view::npos || number_from(json, ",\"offset\":", epoch_at, offset) == std::string_view::npos)
    return reply;
  reply.valid = true;
  reply.offset = static_cast<std::uint64_t>(offset);
  reply.created = json.find("\"created\":true") != std::string_view::npos;
  reply.recovered = json.find("\"recovered\":true") != std::string_view::npos;
  reply.key = string_after(json, "\"join\":\"");
  reply.epoch = string_after(json, "\"epoch\":\"");
  std::size_t at = json.find("\"missed\":[");
  std::int64_t missed = 0;
  while (at != std::string_view::npos && (at = number_from(json, "\"offset\":", at, missed)) != std::string_view::npos)
    reply.missed.push_back(static_cast<std::uint64_t>(missed));
  return reply;
}

}  // namespace rk::bench
