#pragma once
// --cluster: one event loop's connection to the other nodes, through Redis.
//
// Each loop has its own bus, on its own thread: the rooms a loop holds are
// its bus's rooms, and their traffic never crosses threads. A bus keeps two
// Redis connections per server (one server, or each master of a Redis
// Cluster: a room lives in one slot, so on one master): one for commands,
// written once per loop turn with everything the turn produced, and one
// subscribed to the sharded channels of the rooms this loop has members in,
// and only those. A publication is sent once, to a script that takes the
// room's next offset, keeps it in the room's history and state and publishes
// it on the room's channel; every node with members of the room, this one
// included, delivers it from there, so every member everywhere sees one order.
//
// It also keeps the node's heartbeat key alive (every loop's bus: the node
// is reaped only if all of them lose Redis), watches those
// of the nodes its rooms share members with (a node whose heartbeat lapses
// has its members reaped: they leave with reason timeout), and notices
// outages: a connection that breaks or stops answering. Then the loop is
// told, its rooms go on locally, and once Redis is back every room is re-read
// and its members re-registered.
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/bus_port.h"
#include "cluster/redis_link.h"
#include "loop/event_loop.h"
#include "redis/redis_url.h"
#include "redis/topology.h"

namespace rk::cluster {

struct BusOptions {
  redis::RedisConfig redis;
  std::string node;  // this process's id among the nodes
  std::size_t history_size = 100;
  std::int64_t history_ttl_ms = 300'000;
  std::int64_t state_ttl_ms = 86'400'000;
  bool speaks_for_node = false;  // one bus per node logs the node's connects and outages
};

class ClusterBus final : public RedisLink::Listener {
 public:
  ClusterBus(loop::EventLoop& loop, BusOptions options, BusListener& listener);
  ~ClusterBus();
  ClusterBus(const ClusterBus&) = delete;
  ClusterBus& operator=(const ClusterBus&) = delete;

  // On the loop's thread: connects, and keeps reconnecting while Redis is away.
  void start();
  // Sends what is queued (the loop's last members' leaves), then closes.
  void stop();
  const std::string& node() const { return options_.node; }
  // Any thread: false (and why) while Redis is unreachable, for /healthz.
  bool healthy(std::string& why) const;

  // The loop's requests. Nothing is answered from inside them: answers come
  // from Redis, or (while it is away) at the end of the turn.
  void attach(const std::string& key);
  void detach(const std::string& key);
  void publish(const std::string& key, std::string_view body, std::string_view state_field);
  void joined(const std::string& key, std::string field, std::string message);
  void left(const std::string& key, const std::string& field, std::string_view message);
  void destroyed(const std::string& key);
  // SPUBLISHes `message` on the room's channel as it is (for every node holding the room).
  void broadcast(const std::string& key, std::string_view message);
  // End of the loop's turn: answers owed, then one write per connection.
  void flush();

 private:
  struct Room {
    std::uint64_t generation = 0;  // a room detached and attached again is a new one
    std::size_t shard = 0;         // the server that holds its slot
    enum class Phase { kSubscribing, kLoading, kLive } phase = Phase::kSubscribing;
    bool was_live = false;  // a re-read, not a first attach
    std::unordered_map<std::string, std::string> locals;   // this loop's members: field -> join message
    std::unordered_map<std::string, std::string> remotes;  // other nodes' members: field -> node
    std::vector<std::string> held;  // channel messages that came while loading
  };
  struct Pending {
    enum class Op : std::uint8_t { kScript, kAttach, kPublish, kPeerCheck, kOther } op;
    std::string key;   // room key; kPeerCheck: node
    std::string body;  // kPublish: to hand back if it fails
    std::uint64_t generation = 0;  // kAttach: of the room it reads
  };
  struct Shard {
    std::unique_ptr<RedisLink> commands;
    std::unique_ptr<RedisLink> subscriber;
    std::deque<Pending> pending;  // one per command sent on `commands`, in order
  };

  static constexpr std::size_t kSeedShard = static_cast<std::size_t>(-1);  // the link that asks for the topology
  static constexpr auto kTick = std::chrono::milliseconds(250);

  Shard& shard_of(const Room& room) { return shards_[room.shard]; }
  Shard& shard_of_key(std::string_view redis_key) { return shards_[topology_->server_of_key(redis_key)]; }
  void expect(Shard& shard, Pending pending);
  void send_attach(const std::string& key, Room& room);
  void unsubscribe(const std::string& key, const Room& room);

  void on_up(RedisLink& link) override;
  void on_down(RedisLink& link, std::string_view why) override;
  void on_reply(RedisLink& link, redisReply* reply) override;
  void on_topology(redisReply* reply);
  void on_subscribe_reply(redisReply* reply);
  void on_command_reply(Shard& shard, redisReply* reply);
  void on_snapshot_reply(const Pending& pending, redisReply* reply);
  Room& new_room(const std::string& key);
  void on_channel_message(std::string_view channel, std::string_view message);
  void track(Room& room, std::string_view message);

  void reconnect();
  void open_shards();
  bool all_links_up() const;
  void load_scripts();
  void became_up();
  void go_down(std::string_view why);
  void set_health(bool healthy, std::string reason);
  void tick();
  void heartbeat();
  void check_peers();
  void on_peer_checked(const std::string& node, redisReply* reply);

  loop::EventLoop& loop_;
  BusOptions options_;
  BusListener& listener_;
  std::unique_ptr<RedisLink> seed_;  // asks which servers hold which slots
  bool seed_done_ = false;
  std::optional<redis::Topology> topology_;
  std::vector<Shard> shards_;
  std::unordered_map<std::string, Room> rooms_;
  std::vector<std::string> refused_attaches_;  // answered at the turn's end: Redis is away
  std::string sha_publish_, sha_attach_, sha_join_, sha_leave_, sha_reap_;
  std::size_t scripts_loading_ = 0;
  std::uint64_t generations_ = 0;
  bool up_ = false;
  bool stopping_ = false;
  bool reconnect_scheduled_ = false;
  bool reported_down_ = false;  // this outage is logged
  loop::TimerId tick_timer_ = 0;
  loop::Clock::time_point next_heartbeat_{}, next_peer_check_{};

  mutable std::mutex health_mutex_;  // the loop writes, /healthz (any loop) reads
  bool healthy_ = false;
  std::string down_reason_ = "connecting to Redis";
};

}  // namespace rk::cluster
