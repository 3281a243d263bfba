// The bus's connections: learning the servers, connecting, loading the
// scripts, outages and coming back; and the other nodes' heartbeats.
#include <chrono>
#include <spdlog/spdlog.h>
#include <unordered_set>

#include "cluster/bus_scripts.h"
#include "cluster/cluster_bus.h"
#include "redis/resp_writer.h"
#include "redis/room_names.h"

namespace rk::cluster {
namespace {

using redis::RoomPart;
using redis::room_name;

constexpr auto kReconnectEvery = std::chrono::milliseconds(500);
constexpr auto kHeartbeatEvery = std::chrono::seconds(2);
constexpr std::int64_t kHeartbeatTtlMs = 10'000;
constexpr auto kPeerCheckEvery = std::chrono::seconds(3);

std::string node_key(std::string_view node) { return "roomkey:node:" + std::string(node); }

}  // namespace

// ---------------------------------------------------------------- up and down

// First ask any server which servers hold which slots (a plain Redis: all
// of them), then open two links to each.
void ClusterBus::reconnect() {
  reconnect_scheduled_ = false;
  if (stopping_) return;
  seed_done_ = false;
  seed_ = std::make_unique<RedisLink>(loop_, options_.redis, "cluster", *this, kSeedShard);
  seed_->open();
}

void ClusterBus::on_topology(redisReply* reply) {
  topology_ = redis::Topology::from_reply(reply, options_.redis);
  if (!topology_) return go_down("cannot learn which servers hold which slots");
  seed_done_ = true;
  seed_->close("done");  // freed at the next reconnect, not inside its own callback
  open_shards();
}

void ClusterBus::open_shards() {
  shards_.clear();
  const auto& servers = topology_->servers();
  shards_.resize(servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    shards_[i].commands = std::make_unique<RedisLink>(loop_, servers[i], "cluster commands", *this, i);
    shards_[i].subscriber = std::make_unique<RedisLink>(loop_, servers[i], "cluster subscriptions", *this, i);
  }
  for (auto& shard : shards_) {
    shard.commands->open();
    if (!reconnect_scheduled_) shard.subscriber->open();
    if (reconnect_scheduled_) return;  // a link failed at once: go_down() closed the rest and will retry
  }
}

bool ClusterBus::all_links_up() const {
  for (const auto& shard : shards_) {
    if (!shard.commands->is_up() || !shard.subscriber->is_up()) return false;
  }
  return !shards_.empty();
}

void ClusterBus::on_up(RedisLink& link) {
  if (link.shard() == kSeedShard) {
    redis::RespWriter(link.out()).all({"CLUSTER", "SLOTS"});
    link.queued(1);
    return link.flush();
  }
  if (all_links_up()) load_scripts();
}

// On every server: a Redis Cluster runs a room's scripts on its master.
void ClusterBus::load_scripts() {
  const std::pair<const char*, std::string_view> all[] = {{"publish", scripts::kPublish},
                                                         {"attach", scripts::kAttach},
                                                         {"join", scripts::kJoin},
                                                         {"leave", scripts::kLeave},
                                                         {"reap", scripts::kReap}};
  scripts_loading_ = 0;
  for (auto& shard : shards_) {
    redis::RespWriter out(shard.commands->out());
    for (const auto& [name, text] : all) {
      out.all({"SCRIPT", "LOAD", text});
      expect(shard, {Pending::Op::kScript, name, {}});
      ++scripts_loading_;
    }
    shard.commands->flush();
  }
}

void ClusterBus::became_up() {
  up_ = true;
  set_health(true, {});
  if (options_.speaks_for_node) {
    spdlog::info("cluster: {} Redis {} as node {}", reported_down_ ? "reconnected to" : "connected to",
                 options_.redis.where(), options_.node);
  }
  reported_down_ = false;
  heartbeat();
  // Rooms served through the outage: subscribe again (the slots may have
  // moved meanwhile), re-register their members, re-read them.
  for (auto& [key, room] : rooms_) {
    const std::string channel = room_name(key, RoomPart::kChannel);
    room.shard = topology_->server_of_key(channel);
    room.phase = Room::Phase::kSubscribing;
    room.held.clear();
    RedisLink& subscriber = *shard_of(room).subscriber;
    redis::RespWriter(subscriber.out()).all({"SSUBSCRIBE", channel});
    subscriber.queued(1);
  }
  for (auto& shard : shards_) shard.subscriber->flush();
}

void ClusterBus::on_down(RedisLink& link, std::string_view why) {
  if (link.shard() == kSeedShard && seed_done_) return;  // it did its job
  go_down(link.role() + " " + link.where() + ": " + std::string(why));
}

void ClusterBus::go_down(std::string_view why) {
  const bool was_up = up_;
  up_ = false;
  set_health(false, "Redis " + options_.redis.where() + " unreachable: " + std::string(why));
  if (!reported_down_ && !stopping_) {
    reported_down_ = true;
    if (options_.speaks_for_node) {
      spdlog::error("cluster: Redis {} unreachable ({}): rooms go on within this node; cross-node delivery "
                    "resumes once it is back",
                    options_.redis.where(), why);
    }
  }
  // What was in flight is lost or unknown: publications are handed back to
  // be delivered here, first attaches fail, re-reads wait for Redis.
  std::vector<Pending> unsent;
  for (auto& shard : shards_) {
    for (auto& pending : shard.pending) {
      if (pending.op == Pending::Op::kPublish) unsent.push_back(std::move(pending));
    }
    shard.pending.clear();
  }
  scripts_loading_ = 0;
  std::vector<std::string> never_loaded;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    Room& room = it->second;
    room.held.clear();
    room.phase = Room::Phase::kSubscribing;
    if (room.was_live) {
      ++it;
      continue;
    }
    never_loaded.push_back(it->first);
    it = rooms_.erase(it);
  }
  for (auto& shard : shards_) {
    shard.commands->close(why);
    shard.subscriber->close(why);
  }
  if (seed_) seed_->close(why);
  if (!reconnect_scheduled_ && !stopping_) {
    reconnect_scheduled_ = true;
    loop_.add_timer(kReconnectEvery, [this] { reconnect(); });
  }
  // The loop last, and told of the outage first, so that the publications
  // handed back land in its rooms' own sequences.
  if (was_up) listener_.on_bus_down();
  for (const auto& pending : unsent) listener_.on_unsent(pending.key, pending.body);
  for (auto& key : never_loaded) {
    RoomSnapshot failed;
    failed.key = std::move(key);
    listener_.on_snapshot(failed);
  }
}

void ClusterBus::tick() {
  const auto now = loop_.now();
  const auto timeout = std::chrono::milliseconds(options_.redis.io_timeout_ms);
  if (seed_) seed_->check(now, timeout);
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    shards_[i].commands->check(now, timeout);
    shards_[i].subscriber->check(now, timeout);
  }
  if (up_ && now >= next_heartbeat_) heartbeat();
  if (up_ && now >= next_peer_check_) check_peers();
  if (up_) flush();
  tick_timer_ = loop_.add_timer(kTick, [this] { tick(); });
}

void ClusterBus::heartbeat() {
  next_heartbeat_ = loop_.now() + kHeartbeatEvery;
  const std::string key = node_key(options_.node);
  Shard& shard = shard_of_key(key);
  redis::RespWriter(shard.commands->out()).command(5).arg("SET").arg(key).arg("1").arg("PX").arg(kHeartbeatTtlMs);
  expect(shard, {Pending::Op::kOther, {}, {}});
}

void ClusterBus::check_peers() {
  next_peer_check_ = loop_.now() + kPeerCheckEvery;
  std::unordered_set<std::string> peers;
  for (const auto& [key, room] : rooms_) {
    for (const auto& [field, node] : room.remotes) peers.insert(node);
  }
  for (const auto& peer : peers) {
    const std::string key = node_key(peer);
    Shard& shard = shard_of_key(key);
    redis::RespWriter(shard.commands->out()).all({"EXISTS", key});
    expect(shard, {Pending::Op::kPeerCheck, peer, {}});
  }
}

// A node whose heartbeat lapsed is gone: its members leave every room this
// loop shares with it (whichever node reaps first announces it).
void ClusterBus::on_peer_checked(const std::string& node, redisReply* reply) {
  if (reply->type != REDIS_REPLY_INTEGER || reply->integer != 0) return;
  spdlog::warn("cluster: node {} stopped its heartbeat: its members leave (timeout)", node);
  for (auto& [key, room] : rooms_) {
    const auto removed = std::erase_if(room.remotes, [&](const auto& entry) { return entry.second == node; });
    if (removed == 0) continue;
    Shard& shard = shard_of(room);
    redis::RespWriter out(shard.commands->out());
    out.command(6).arg("EVALSHA").arg(sha_reap_).arg(std::int64_t{1}).arg(room_name(key, RoomPart::kMembers));
    out.arg(room_name(key, RoomPart::kChannel)).arg(node);
    expect(shard, {Pending::Op::kOther, {}, {}});
  }
}

}  // namespace rk::cluster
