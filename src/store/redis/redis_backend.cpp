#include "store/redis/redis_backend.h"

#include <chrono>
#include <spdlog/spdlog.h>

#include "redis/resp_writer.h"
#include "redis/room_names.h"

namespace rk::store {
namespace {

using redis::RoomPart;

// KEYS[1] the room; ARGV owner, now (Unix s), TTL (s, 0: none).
constexpr std::string_view kCreate = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'created_at', ARGV[2], 'last_used', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1)lua";

// KEYS[1] the room; ARGV now, TTL. 0 if there is no such room.
constexpr std::string_view kTouch = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'last_used', ARGV[1])
if tonumber(ARGV[2]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1)lua";

// KEYS[1] the room, then everything else of it (cluster mode's history,
// state, sequence and presence): a destroyed room leaves nothing behind.
constexpr std::string_view kDestroy = R"lua(
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', unpack(KEYS, 2))
return existed)lua";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

StoreOpenError open_error(const redis::ConfigurationError& error) { return StoreOpenError(error.what()); }

}  // namespace

RedisBackend::RedisBackend(redis::RedisConfig config, std::int64_t room_ttl_s)
    : client_(std::move(config), "room store"), room_ttl_s_(room_ttl_s) {
  try {
    client_.connect_at_startup();
  } catch (const redis::ConfigurationError& error) {
    throw open_error(error);
  }
}

void RedisBackend::append(const StoreRequest& request) {
  redis::RespWriter out(commands_);
  const std::string room = redis::room_name(request.key, RoomPart::kRoom);
  switch (request.op) {
    case StoreOp::kCreate:
      out.command(7).arg("EVAL").arg(kCreate).arg(std::int64_t{1}).arg(room).arg(request.owner).arg(now_s()).arg(
          room_ttl_s_);
      return;
    case StoreOp::kExists:
      out.all({"HGET", room, "owner"});
      return;
    case StoreOp::kDestroy:
      out.command(8).arg("EVAL").arg(kDestroy).arg(std::int64_t{5}).arg(room);
      for (auto part : {RoomPart::kSeq, RoomPart::kLog, RoomPart::kState, RoomPart::kMembers})
        out.arg(redis::room_name(request.key, part));
      return;
    case StoreOp::kTouch:
      out.command(6).arg("EVAL").arg(kTouch).arg(std::int64_t{1}).arg(room).arg(now_s()).arg(room_ttl_s_);
      return;
  }
}

StoreStatus RedisBackend::status_of(const StoreRequest& request, const redisReply* reply) {
  if (redis::is_error(reply)) {
    spdlog::warn("Redis room store: {} failed: {}", name_of(request.op), redis::text_of(reply));
    return StoreStatus::kUnavailable;
  }
  switch (request.op) {
    case StoreOp::kCreate:
      return reply->integer == 1 ? StoreStatus::kOk : StoreStatus::kAlreadyExists;
    case StoreOp::kExists:
      return reply->type == REDIS_REPLY_NIL ? StoreStatus::kNotFound : StoreStatus::kOk;
    case StoreOp::kDestroy:
    case StoreOp::kTouch:
      return reply->integer == 1 ? StoreStatus::kOk : StoreStatus::kNotFound;
  }
  return StoreStatus::kUnavailable;
}

void RedisBackend::run_batch(std::span<StoreRequest> requests) {
  for (auto& request : requests) request.status = StoreStatus::kUnavailable;
  commands_.clear();
  for (const auto& request : requests) append(request);
  auto replies = client_.run(commands_, requests.size());
  if (!replies) return;  // a write's fate is unknown: none is reported done
  for (std::size_t i = 0; i < requests.size(); ++i) {
    StoreRequest& request = requests[i];
    const redisReply* reply = (*replies)[i].get();
    request.status = status_of(request, reply);
    if (request.op == StoreOp::kExists && request.status == StoreStatus::kOk) request.owner = redis::text_of(reply);
  }
}

std::optional<std::uint64_t> RedisBackend::count_rooms() {
  std::uint64_t rooms = 0;
  std::string cursor = "0";
  do {
    commands_.clear();
    redis::RespWriter(commands_).all({"SCAN", cursor, "MATCH", redis::kRoomPattern, "COUNT", "1000"});
    auto replies = client_.run(commands_, 1);
    if (!replies) return std::nullopt;
    const redisReply* reply = replies->front().get();
    if (redis::is_error(reply) || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return std::nullopt;
    cursor = redis::text_of(reply->element[0]);
    rooms += reply->element[1]->elements;
  } while (cursor != "0");
  return rooms;
}

// Redis expires rooms itself (EXPIRE, renewed at each recorded use).
std::optional<std::uint64_t> RedisBackend::expire_unused(std::int64_t) { return 0; }

}  // namespace rk::store
