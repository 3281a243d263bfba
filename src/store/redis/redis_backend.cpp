#include "store/redis/redis_backend.h"

#include <cstdlib>

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
    : config_(config), seed_(std::move(config), "room store"), room_ttl_s_(room_ttl_s) {
  try {
    if (seed_.connect_at_startup()) learn_topology();
  } catch (const redis::ConfigurationError& error) {
    throw open_error(error);
  }
}

std::string RedisBackend::describe() const {
  if (topology_ && topology_->is_cluster())
    return "Redis Cluster via " + config_.where() + " (" + std::to_string(topology_->servers().size()) + " masters)";
  return seed_.describe();
}

// A plain Redis is its own seed; a cluster's masters get a connection each.
bool RedisBackend::learn_topology() {
  topology_ = redis::Topology::discover(seed_, config_);
  masters_.clear();
  if (!topology_) return false;
  if (topology_->is_cluster()) {
    for (const auto& server : topology_->servers())
      masters_.push_back(std::make_unique<redis::BlockingClient>(server, "room store"));
  }
  return true;
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
      out.all({"HMGET", room, "owner", "created_at"});
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
      // Every room's hash has an owner (maybe ""): a nil one means no room.
      return reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 || reply->element[0]->type == REDIS_REPLY_NIL
                 ? StoreStatus::kNotFound
                 : StoreStatus::kOk;
    case StoreOp::kDestroy:
    case StoreOp::kTouch:
      return reply->integer == 1 ? StoreStatus::kOk : StoreStatus::kNotFound;
  }
  return StoreStatus::kUnavailable;
}

void RedisBackend::run_batch(std::span<StoreRequest> requests) {
  for (auto& request : requests) request.status = StoreStatus::kUnavailable;
  if (!topology_ && !learn_topology()) return;
  std::vector<std::vector<std::size_t>> by_server(topology_->servers().size());
  for (std::size_t i = 0; i < requests.size(); ++i)
    by_server[topology_->server_of_key(redis::room_name(requests[i].key, RoomPart::kRoom))].push_back(i);
  for (std::size_t server = 0; server < by_server.size(); ++server) {
    if (!by_server[server].empty()) run_on(server, requests, by_server[server]);
  }
}

void RedisBackend::run_on(std::size_t server, std::span<StoreRequest> requests, const std::vector<std::size_t>& which) {
  commands_.clear();
  for (std::size_t i : which) append(requests[i]);
  auto replies = client_of(server).run(commands_, which.size());
  if (!replies) return;  // a write's fate is unknown: none is reported done
  for (std::size_t k = 0; k < which.size(); ++k) {
    StoreRequest& request = requests[which[k]];
    const redisReply* reply = (*replies)[k].get();
    const std::string_view error = redis::is_error(reply) ? redis::text_of(reply) : std::string_view();
    if (error.starts_with("MOVED") || error.starts_with("ASK") || error.starts_with("CLUSTERDOWN")) {
      topology_.reset();  // slots moved: asked again before the next batch; this request is refused
      request.status = StoreStatus::kUnavailable;
      continue;
    }
    request.status = status_of(request, reply);
    if (request.op == StoreOp::kExists && request.status == StoreStatus::kOk) {
      request.owner = redis::text_of(reply->element[0]);
      request.created_at_s = std::atoll(std::string(redis::text_of(reply->element[1])).c_str());
    }
  }
}

// Every master's rooms (a Redis Cluster's SCAN covers one node).
std::optional<std::uint64_t> RedisBackend::count_rooms() {
  if (!topology_ && !learn_topology()) return std::nullopt;
  std::uint64_t rooms = 0;
  for (std::size_t server = 0; server < server_count(); ++server) {
    redis::BlockingClient& client = client_of(server);
    std::string cursor = "0";
    do {
      commands_.clear();
      redis::RespWriter(commands_).all({"SCAN", cursor, "MATCH", redis::kRoomPattern, "COUNT", "1000"});
      auto replies = client.run(commands_, 1);
      if (!replies) return std::nullopt;
      const redisReply* reply = replies->front().get();
      if (redis::is_error(reply) || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return std::nullopt;
      cursor = redis::text_of(reply->element[0]);
      rooms += reply->element[1]->elements;
    } while (cursor != "0");
  }
  return rooms;
}

// Redis expires rooms itself (EXPIRE, renewed at each recorded use).
std::optional<std::uint64_t> RedisBackend::expire_unused(std::int64_t) { return 0; }

}  // namespace rk::store
