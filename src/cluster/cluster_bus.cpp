// The bus's rooms: the loop's requests and Redis's replies about them.
// Connecting, outages and watching the other nodes: cluster_bus_links.cpp.
#include "cluster/cluster_bus.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <spdlog/spdlog.h>

#include "cluster/bus_message.h"
#include "redis/resp_writer.h"
#include "redis/room_names.h"

namespace rk::cluster {
namespace {

using redis::RoomPart;
using redis::room_name;

constexpr std::int64_t kMinSequenceTtlMs = 86'400'000;

// roomkey:{KEY}:bus -> KEY
std::string_view key_of_channel(std::string_view channel) {
  constexpr std::string_view prefix = "roomkey:{", suffix = "}:bus";
  if (!channel.starts_with(prefix) || !channel.ends_with(suffix)) return {};
  return channel.substr(prefix.size(), channel.size() - prefix.size() - suffix.size());
}

// An epoch for a sequence Redis starts: 64 random bits in URL-safe base64
// (11 characters), like the epochs of a single node's rooms.
std::string fresh_epoch() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint64_t n = random();
  std::string out;
  for (int i = 0; i < 11; ++i, n >>= 6) out.push_back(kDigits[n & 63]);
  return out;
}

std::vector<std::string> strings_of(const redisReply* array) {
  std::vector<std::string> out;
  if (!array || array->type != REDIS_REPLY_ARRAY) return out;
  out.reserve(array->elements);
  for (std::size_t i = 0; i < array->elements; ++i) out.emplace_back(redis::text_of(array->element[i]));
  return out;
}

bool means_start_over(std::string_view error) {
  return error.starts_with("MOVED") || error.starts_with("ASK") || error.starts_with("CLUSTERDOWN") ||
         error.starts_with("NOSCRIPT") || error.starts_with("TRYAGAIN");
}

}  // namespace

ClusterBus::ClusterBus(loop::EventLoop& loop, BusOptions options, BusListener& listener)
    : loop_(loop), options_(std::move(options)), listener_(listener) {}

ClusterBus::~ClusterBus() = default;

void ClusterBus::start() {
  reconnect();
  tick_timer_ = loop_.add_timer(kTick, [this] { tick(); });
}

void ClusterBus::stop() {
  stopping_ = true;
  loop_.cancel_timer(tick_timer_);
  for (auto& shard : shards_) shard.commands->flush();
}

bool ClusterBus::healthy(std::string& why) const {
  std::lock_guard lock(health_mutex_);
  if (!healthy_) why = down_reason_;
  return healthy_;
}

void ClusterBus::set_health(bool healthy, std::string reason) {
  std::lock_guard lock(health_mutex_);
  healthy_ = healthy;
  down_reason_ = std::move(reason);
}

void ClusterBus::expect(Shard& shard, Pending pending) {
  shard.commands->queued(1);
  shard.pending.push_back(std::move(pending));
}

// ---------------------------------------------------------------- the loop's requests

ClusterBus::Room& ClusterBus::new_room(const std::string& key) {
  Room& room = rooms_[key];
  room = Room{};
  room.generation = ++generations_;
  return room;
}

void ClusterBus::attach(const std::string& key) {
  const auto found = rooms_.find(key);
  if (!up_ && !reported_down_) {
    if (found == rooms_.end()) new_room(key);  // still connecting at startup: it is read once up
    return;
  }
  if (!up_) {
    if (found != rooms_.end()) rooms_.erase(found);
    refused_attaches_.push_back(key);
    return;
  }
  const bool fresh = found == rooms_.end();
  Room& room = fresh ? new_room(key) : found->second;
  if (!fresh && room.phase == Room::Phase::kLive) {
    room.was_live = true;  // a re-read (a gap): the subscription stays
    room.phase = Room::Phase::kLoading;
    return send_attach(key, room);
  }
  if (!fresh) return;  // already on its way
  const std::string channel = room_name(key, RoomPart::kChannel);
  room.shard = topology_->server_of_key(channel);
  RedisLink& subscriber = *shard_of(room).subscriber;
  redis::RespWriter(subscriber.out()).all({"SSUBSCRIBE", channel});
  subscriber.queued(1);
}

void ClusterBus::send_attach(const std::string& key, Room& room) {
  const std::int64_t keep_ms = std::max({options_.history_ttl_ms, options_.state_ttl_ms, kMinSequenceTtlMs});
  Shard& shard = shard_of(room);
  redis::RespWriter out(shard.commands->out());
  out.command(11 + room.locals.size() * 2).arg("EVALSHA").arg(sha_attach_).arg(std::int64_t{4});
  for (auto part : {RoomPart::kSeq, RoomPart::kLog, RoomPart::kState, RoomPart::kMembers})
    out.arg(room_name(key, part));
  out.arg(fresh_epoch()).arg(keep_ms).arg(room_name(key, RoomPart::kChannel)).arg(options_.node);
  for (const auto& [field, message] : room.locals) out.arg(field).arg(message);
  expect(shard, {Pending::Op::kAttach, key, {}, room.generation});
}

void ClusterBus::unsubscribe(const std::string& key, const Room& room) {
  if (!up_) return;
  RedisLink& subscriber = *shards_[room.shard].subscriber;
  redis::RespWriter(subscriber.out()).all({"SUNSUBSCRIBE", room_name(key, RoomPart::kChannel)});
  subscriber.queued(1);
}

void ClusterBus::detach(const std::string& key) {
  const auto found = rooms_.find(key);
  if (found == rooms_.end()) return;
  unsubscribe(key, found->second);
  rooms_.erase(found);
}

void ClusterBus::publish(const std::string& key, std::string_view body, std::string_view state_field) {
  const auto found = rooms_.find(key);
  if (found == rooms_.end()) return;  // not served here (any more)
  if (!up_) return listener_.on_unsent(key, body);  // the loop hears of outages first: not expected
  const std::int64_t keep_ms = std::max({options_.history_ttl_ms, options_.state_ttl_ms, kMinSequenceTtlMs});
  Shard& shard = shard_of(found->second);
  redis::RespWriter out(shard.commands->out());
  out.command(14).arg("EVALSHA").arg(sha_publish_).arg(std::int64_t{3});
  for (auto part : {RoomPart::kSeq, RoomPart::kLog, RoomPart::kState}) out.arg(room_name(key, part));
  out.arg(room_name(key, RoomPart::kChannel)).arg(body);
  out.arg(static_cast<std::int64_t>(options_.history_size)).arg(std::max<std::int64_t>(options_.history_ttl_ms, 1));
  out.arg(state_field).arg(std::max<std::int64_t>(options_.state_ttl_ms, 1)).arg(keep_ms).arg(fresh_epoch());
  expect(shard, {Pending::Op::kPublish, key, std::string(body)});
}

void ClusterBus::joined(const std::string& key, std::string field, std::string message) {
  const auto found = rooms_.find(key);
  if (found == rooms_.end()) return;
  Room& room = found->second;
  if (up_) {
    Shard& shard = shard_of(room);
    redis::RespWriter out(shard.commands->out());
    out.command(7).arg("EVALSHA").arg(sha_join_).arg(std::int64_t{1});
    out.arg(room_name(key, RoomPart::kMembers)).arg(room_name(key, RoomPart::kChannel)).arg(field).arg(message);
    expect(shard, {Pending::Op::kOther, {}, {}});
  }
  room.locals[std::move(field)] = std::move(message);  // re-registered after an outage
}

void ClusterBus::left(const std::string& key, const std::string& field, std::string_view message) {
  const auto found = rooms_.find(key);
  if (found == rooms_.end()) return;
  found->second.locals.erase(field);
  if (!up_) return;  // reaped by the others meanwhile, if the outage lasts
  Shard& shard = shard_of(found->second);
  redis::RespWriter out(shard.commands->out());
  out.command(7).arg("EVALSHA").arg(sha_leave_).arg(std::int64_t{1});
  out.arg(room_name(key, RoomPart::kMembers)).arg(room_name(key, RoomPart::kChannel)).arg(field).arg(message);
  expect(shard, {Pending::Op::kOther, {}, {}});
}

void ClusterBus::broadcast(const std::string& key, std::string_view message) {
  if (!up_) return;
  const std::string channel = room_name(key, RoomPart::kChannel);
  Shard& shard = shard_of_key(channel);
  redis::RespWriter out(shard.commands->out());
  out.command(3).arg("SPUBLISH").arg(channel).arg(message);
  expect(shard, {Pending::Op::kOther, {}, {}});
}

void ClusterBus::destroyed(const std::string& key) {
  const auto found = rooms_.find(key);
  if (found != rooms_.end()) {
    unsubscribe(key, found->second);
    rooms_.erase(found);
  }
  if (!up_) return;
  const std::string channel = room_name(key, RoomPart::kChannel);
  Shard& shard = shard_of_key(channel);
  redis::RespWriter out(shard.commands->out());
  out.all({"DEL", room_name(key, RoomPart::kSeq), room_name(key, RoomPart::kLog), room_name(key, RoomPart::kState),
           room_name(key, RoomPart::kMembers)});
  out.all({"SPUBLISH", channel, destroyed_message(options_.node)});
  expect(shard, {Pending::Op::kOther, {}, {}});
  expect(shard, {Pending::Op::kOther, {}, {}});
}

void ClusterBus::flush() {
  for (std::size_t i = 0; i < refused_attaches_.size(); ++i) {
    RoomSnapshot refused;
    refused.key = std::move(refused_attaches_[i]);
    listener_.on_snapshot(refused);  // may refuse more: the loop goes on to them
  }
  refused_attaches_.clear();
  for (auto& shard : shards_) {
    shard.commands->flush();
    shard.subscriber->flush();
  }
}

// ---------------------------------------------------------------- replies

void ClusterBus::on_reply(RedisLink& link, redisReply* reply) {
  if (link.shard() == kSeedShard) return on_topology(reply);
  Shard& shard = shards_[link.shard()];
  if (&link == shard.subscriber.get()) return on_subscribe_reply(reply);
  on_command_reply(shard, reply);
}

void ClusterBus::on_subscribe_reply(redisReply* reply) {
  // An SSUBSCRIBE refused (MOVED: the slots moved; anything else): its room
  // would wait for ever. Start over.
  if (redis::is_error(reply))
    return go_down("subscribing failed: " + std::string(redis::text_of(reply).substr(0, 60)));
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const std::string_view kind = redis::text_of(reply->element[0]);
  const std::string_view channel = redis::text_of(reply->element[1]);
  if (kind == "smessage") return on_channel_message(channel, redis::text_of(reply->element[2]));
  const auto found = rooms_.find(std::string(key_of_channel(channel)));
  if (kind == "sunsubscribe" && found != rooms_.end() && found->second.phase == Room::Phase::kLive) {
    // Not asked for: Redis Cluster moved the room's slot to another master.
    return go_down("a room's slot moved to another master");
  }
  if (kind != "ssubscribe" || found == rooms_.end() || found->second.phase != Room::Phase::kSubscribing) return;
  found->second.phase = Room::Phase::kLoading;
  send_attach(found->first, found->second);
}

void ClusterBus::on_command_reply(Shard& shard, redisReply* reply) {
  if (shard.pending.empty()) return;
  Pending pending = std::move(shard.pending.front());
  shard.pending.pop_front();
  if (redis::is_error(reply)) {
    const std::string_view error = redis::text_of(reply);
    // Slots moved (a resharding, a failover), or scripts Redis no longer
    // knows (SCRIPT FLUSH, a restart behind our back): start over, asking
    // again who serves what.
    // A script that did not load, or a room that could not be re-read, would
    // leave the bus half up or a room stuck: start over likewise.
    const auto found = rooms_.find(pending.key);
    const bool rereading = pending.op == Pending::Op::kAttach && found != rooms_.end() && found->second.was_live &&
                           found->second.generation == pending.generation;
    if (means_start_over(error) || pending.op == Pending::Op::kScript || rereading) {
      shard.pending.push_front(std::move(pending));  // handed back with the rest
      return go_down(std::string("Redis answered ") + std::string(error.substr(0, 60)));
    }
    spdlog::warn("cluster: Redis answered an error: {}", error);
    if (pending.op == Pending::Op::kPublish) return listener_.on_unsent(pending.key, pending.body);
    if (pending.op == Pending::Op::kAttach && found != rooms_.end() && found->second.generation == pending.generation) {
      unsubscribe(pending.key, found->second);
      rooms_.erase(found);
      RoomSnapshot failed;
      failed.key = pending.key;
      listener_.on_snapshot(failed);
    }
    return;
  }
  switch (pending.op) {
    case Pending::Op::kScript:
      if (pending.key == "publish") sha_publish_ = redis::text_of(reply);
      if (pending.key == "attach") sha_attach_ = redis::text_of(reply);
      if (pending.key == "join") sha_join_ = redis::text_of(reply);
      if (pending.key == "leave") sha_leave_ = redis::text_of(reply);
      if (pending.key == "reap") sha_reap_ = redis::text_of(reply);
      if (--scripts_loading_ == 0) became_up();
      return;
    case Pending::Op::kAttach:
      return on_snapshot_reply(pending, reply);
    case Pending::Op::kPeerCheck:
      return on_peer_checked(pending.key, reply);
    case Pending::Op::kPublish:
    case Pending::Op::kOther:
      return;
  }
}

void ClusterBus::on_snapshot_reply(const Pending& pending, redisReply* reply) {
  const std::string& key = pending.key;
  const auto found = rooms_.find(key);
  // Detached meanwhile (and perhaps attached again: that one has its own read coming).
  if (found == rooms_.end() || found->second.generation != pending.generation) return;
  Room& room = found->second;
  RoomSnapshot snapshot;
  snapshot.key = key;
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 5) {
    const std::string_view offset = redis::text_of(reply->element[1]);
    const auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), snapshot.offset);
    snapshot.ok = ec == std::errc() && end == offset.data() + offset.size();
    snapshot.resync = room.was_live;
    snapshot.epoch = redis::text_of(reply->element[0]);
    snapshot.history = strings_of(reply->element[2]);
    snapshot.states = strings_of(reply->element[3]);
    snapshot.members = strings_of(reply->element[4]);
  }
  if (!snapshot.ok && room.was_live) return go_down("a room's re-read came back malformed");
  std::vector<std::string> held;
  if (snapshot.ok) {
    room.remotes.clear();
    for (const auto& member : snapshot.members) track(room, member);
    room.phase = Room::Phase::kLive;
    room.was_live = true;
    held = std::move(room.held);
    for (const auto& message : held) track(room, message);
  } else {
    unsubscribe(key, room);
    rooms_.erase(found);
  }
  // The loop last: it may detach the room (nobody waits for it any more).
  listener_.on_snapshot(snapshot);
  for (const auto& message : held) listener_.on_room_message(key, message);
}

void ClusterBus::on_channel_message(std::string_view channel, std::string_view message) {
  const std::string_view key = key_of_channel(channel);
  const auto found = rooms_.find(std::string(key));
  if (found == rooms_.end()) return;
  Room& room = found->second;
  if (room.phase != Room::Phase::kLive) {
    room.held.emplace_back(message);
    return;
  }
  track(room, message);
  listener_.on_room_message(key, message);
}

// Which other nodes have members here: their heartbeats are watched.
void ClusterBus::track(Room& room, std::string_view message) {
  if (message.empty() || (message.front() != 'J' && message.front() != 'L')) return;
  const auto parsed = parse_bus_message(message);
  if (!parsed || parsed->node == options_.node) return;
  std::string field = member_field(parsed->node, parsed->member_id);
  if (parsed->kind == MessageKind::kJoin) {
    room.remotes[std::move(field)] = std::string(parsed->node);
  } else {
    room.remotes.erase(field);
  }
}

}  // namespace rk::cluster
