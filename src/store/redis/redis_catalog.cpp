// The admin's side of the Redis store (`roomkey rooms`): SCAN on every master
// (a Redis Cluster's SCAN sees one node), each page's hashes read with one
// pipeline; imports pipelined per master, one script per room so that a key
// already there is never overwritten.
//
// Redis keeps no NULL: a room without an owner holds an empty one (the
// store's lookup needs the field), and an empty owner reads back as none.
#include <chrono>
#include <charconv>

#include "redis/resp_writer.h"
#include "redis/room_names.h"
#include "store/redis/redis_backend.h"

namespace rk::store {
namespace {

using redis::RoomPart;

// KEYS[1] the room; ARGV owner, created_at, last_used ('': none), expire at
// (Unix s; 0: never), now. 1 written, 0 the key is taken, 2 already expired.
constexpr std::string_view kImport = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local expire_at = tonumber(ARGV[4])
if expire_at > 0 and expire_at <= tonumber(ARGV[5]) then return 2 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'created_at', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'last_used', ARGV[3]) end
if expire_at > 0 then redis.call('EXPIREAT', KEYS[1], expire_at) end
return 1)lua";

constexpr std::string_view kPageSize = "1000";

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::int64_t> seconds_of(const redisReply* field) {
  if (!field || field->type == REDIS_REPLY_NIL) return std::nullopt;
  const std::string_view text = redis::text_of(field);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw StoreError("Redis: a room time that is not a whole number of seconds: '" + std::string(text) + "'");
  return value;
}

std::string as_text(const std::optional<std::int64_t>& seconds) {
  return seconds ? std::to_string(*seconds) : std::string();
}

// roomkey:{KEY}:room -> KEY
std::string_view room_key_of(std::string_view name) {
  constexpr std::string_view prefix = "roomkey:{";
  constexpr std::string_view suffix = "}:room";
  if (!name.starts_with(prefix) || !name.ends_with(suffix) || name.size() < prefix.size() + suffix.size()) return {};
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

}  // namespace

void RedisBackend::learn_topology_for_admin() {
  if (!topology_ && !learn_topology()) throw StoreError("Redis " + seed_.describe() + " unreachable (see above)");
}

std::vector<redis::ReplyPtr> RedisBackend::run_for_admin(std::size_t server, std::size_t count, std::string_view what) {
  auto replies = client_of(server).run(commands_, count);
  if (!replies)
    throw StoreError("Redis " + client_of(server).describe() + ": " + std::string(what) + " failed: no answer");
  for (const auto& reply : *replies) {
    if (redis::is_error(reply.get())) {
      const std::string_view error = redis::text_of(reply.get());
      if (error.starts_with("MOVED") || error.starts_with("ASK")) topology_.reset();
      throw StoreError("Redis " + client_of(server).describe() + ": " + std::string(what) +
                       " failed: " + std::string(error));
    }
  }
  return std::move(*replies);
}

std::uint64_t RedisBackend::room_count() {
  learn_topology_for_admin();
  const auto count = count_rooms();
  if (!count) throw StoreError("Redis " + describe() + ": counting rooms failed");
  return *count;
}

void RedisBackend::for_each_room(const std::function<void(const RoomRecord&)>& each) {
  learn_topology_for_admin();
  for (std::size_t server = 0; server < server_count(); ++server) {
    std::string cursor = "0";
    do {
      commands_.clear();
      redis::RespWriter(commands_).all({"SCAN", cursor, "MATCH", redis::kRoomPattern, "COUNT", kPageSize});
      const auto page = run_for_admin(server, 1, "SCAN");
      const redisReply* reply = page.front().get();
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2)
        throw StoreError("Redis " + client_of(server).describe() + ": SCAN gave an unexpected reply");
      cursor = redis::text_of(reply->element[0]);
      read_rooms(server, reply->element[1], each);
    } while (cursor != "0");
  }
}

// One page of SCAN's keys: their hashes in one pipeline. A room that expired
// since the SCAN (every field nil) is passed over.
void RedisBackend::read_rooms(std::size_t server, const redisReply* keys,
                              const std::function<void(const RoomRecord&)>& each) {
  if (keys->elements == 0) return;
  commands_.clear();
  redis::RespWriter out(commands_);
  for (std::size_t i = 0; i < keys->elements; ++i)
    out.all({"HMGET", redis::text_of(keys->element[i]), "owner", "created_at", "last_used"});
  const auto rooms = run_for_admin(server, keys->elements, "reading rooms");
  RoomRecord room;
  for (std::size_t i = 0; i < keys->elements; ++i) {
    const redisReply* fields = rooms[i].get();
    if (fields->type != REDIS_REPLY_ARRAY || fields->elements != 3) continue;
    const redisReply* owner = fields->element[0];
    if (owner->type == REDIS_REPLY_NIL) continue;
    room.key = std::string(room_key_of(redis::text_of(keys->element[i])));
    if (room.key.empty()) continue;
    const std::string_view owner_text = redis::text_of(owner);
    room.owner = owner_text.empty() ? std::nullopt : std::optional<std::string>(owner_text);
    room.created_at = seconds_of(fields->element[1]);
    room.last_used = seconds_of(fields->element[2]);
    each(room);
  }
}

std::vector<InsertOutcome> RedisBackend::insert_rooms(std::span<const RoomRecord> rooms) {
  learn_topology_for_admin();
  std::vector<std::vector<std::size_t>> by_server(topology_->servers().size());
  for (std::size_t i = 0; i < rooms.size(); ++i)
    by_server[topology_->server_of_key(redis::room_name(rooms[i].key, RoomPart::kRoom))].push_back(i);
  std::vector<InsertOutcome> outcomes(rooms.size(), InsertOutcome::kExisted);
  const std::int64_t now = now_s();
  for (std::size_t server = 0; server < by_server.size(); ++server) {
    const auto& which = by_server[server];
    if (which.empty()) continue;
    commands_.clear();
    redis::RespWriter out(commands_);
    for (std::size_t i : which) {
      const RoomRecord& room = rooms[i];
      const std::int64_t expire_at = room_ttl_s_ > 0 ? room.last_used.value_or(now) + room_ttl_s_ : 0;
      out.command(9).arg("EVAL").arg(kImport).arg(std::int64_t{1}).arg(redis::room_name(room.key, RoomPart::kRoom));
      out.arg(room.owner.value_or("")).arg(as_text(room.created_at)).arg(as_text(room.last_used)).arg(expire_at).arg(now);
    }
    const auto replies = run_for_admin(server, which.size(), "importing rooms");
    for (std::size_t k = 0; k < which.size(); ++k) {
      const long long written = replies[k]->integer;
      outcomes[which[k]] = written == 1   ? InsertOutcome::kInserted
                           : written == 2 ? InsertOutcome::kExpired
                                          : InsertOutcome::kExisted;
    }
  }
  return outcomes;
}

}  // namespace rk::store
