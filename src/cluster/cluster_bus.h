#pragma once
// --cluster: the thread that connects this node to the others through Redis.
//
// It owns, on an event loop of its own, two Redis connections per server
// (one server, or each master of a Redis Cluster: a room lives in one slot,
// so on one master): one for commands (pipelined: a turn's requests from
// every loop go out in one write), one subscribed to the sharded channels of
// the rooms this node has members in, and only those. A publication is sent once, to a script that
// takes the room's next offset, keeps it in the room's history and state and
// publishes it on the room's channel; every node with members of the room,
// this one included, delivers it from there, so every member everywhere sees
// one order.
//
// It also keeps this node's heartbeat key alive, watches those of the nodes
// it shares rooms with (a node whose heartbeat lapses has its members reaped:
// they leave with reason timeout), and notices outages: a connection that
// breaks or stops answering. Then every loop is told, rooms go on locally,
// and once Redis is back every room is re-read and its members re-registered.
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "cluster/bus_port.h"
#include "cluster/redis_link.h"
#include "loop/event_loop.h"
#include "redis/redis_url.h"
#include "redis/topology.h"

namespace rk::cluster {

class ClusterBus;

struct BusOptions {
  redis::RedisConfig redis;
  std::string node;  // this process's id among the nodes
  std::size_t history_size = 100;
  std::int64_t history_ttl_ms = 300'000;
  std::int64_t state_ttl_ms = 86'400'000;
};

// A loop's way to the bus. Loop thread only, but for the bus's draining.
class LoopPort {
 public:
  LoopPort(ClusterBus& bus, std::size_t index) : bus_(bus), index_(index) {}

  void attach(std::string key) { add({BusRequest::Op::kAttach, std::move(key), {}, {}}); }
  void detach(std::string key) { add({BusRequest::Op::kDetach, std::move(key), {}, {}}); }
  void publish(std::string key, std::string body, std::string state_field) {
    add({BusRequest::Op::kPublish, std::move(key), std::move(body), std::move(state_field)});
  }
  void joined(std::string key, std::string field, std::string message) {
    add({BusRequest::Op::kJoin, std::move(key), std::move(field), std::move(message)});
  }
  void left(std::string key, std::string field, std::string message) {
    add({BusRequest::Op::kLeave, std::move(key), std::move(field), std::move(message)});
  }
  void destroyed(std::string key) { add({BusRequest::Op::kDestroyed, std::move(key), {}, {}}); }
  // End of the loop's turn: hands this turn's requests to the bus.
  void flush();
  const std::string& node() const;

 private:
  friend class ClusterBus;
  void add(BusRequest request) { turn_.push_back(std::move(request)); }

  ClusterBus& bus_;
  const std::size_t index_;
  std::vector<BusRequest> turn_;     // loop thread only
  std::mutex mutex_;                 // this loop and the bus only
  std::vector<BusRequest> handed_;   // guarded by mutex_
};

class ClusterBus final : public loop::IoHandler, public RedisLink::Listener {
 public:
  ClusterBus(BusOptions options, std::size_t loops);
  ~ClusterBus();

  // Before start(): where loop `index`'s answers go.
  void connect_loop(std::size_t index, loop::EventLoop& loop, BusListener& listener);
  LoopPort& port(std::size_t index) { return *ports_[index]; }
  const std::string& node() const { return options_.node; }

  void start();
  void stop();
  // False (and why) while Redis is unreachable: for /healthz.
  bool healthy(std::string& why) const;

  void on_io(std::uint32_t events) override;  // the loops' wake-up

 private:
  friend class LoopPort;
  struct Room {
    std::size_t loop = 0;
    std::size_t shard = 0;  // the server that holds its slot
    enum class Phase { kSubscribing, kLoading, kLive } phase = Phase::kSubscribing;
    bool was_live = false;  // a re-read, not a first attach
    std::unordered_map<std::string, std::string> locals;   // this node's members: field -> join message
    std::unordered_map<std::string, std::string> remotes;  // other nodes' members: field -> node
    std::vector<std::string> held;  // channel messages that came while loading
  };
  struct Pending {
    enum class Op : std::uint8_t { kScript, kAttach, kPublish, kPeerCheck, kOther } op;
    std::string key;   // room key; kPeerCheck: node
    std::string body;  // kPublish: to hand back if it fails
    std::string state_field;
  };
  struct ChannelMessage {
    std::string key, text;
  };
  struct Down {};
  struct Unsent {
    std::string key, body, state_field;
  };
  using LoopEvent = std::variant<RoomSnapshot, ChannelMessage, Down, Unsent>;
  struct Shard {
    std::unique_ptr<RedisLink> commands;
    std::unique_ptr<RedisLink> subscriber;
    std::deque<Pending> pending;  // one per command sent on `commands`, in order
  };
  struct Outbox {
    loop::EventLoop* loop = nullptr;
    BusListener* listener = nullptr;
    std::vector<LoopEvent> events;
  };

  void wake();
  void drain_ports();
  void handle(BusRequest& request, std::size_t loop);
  void attach(std::string& key, std::size_t loop);
  void send_attach(const std::string& key, Room& room);
  void publish(BusRequest& request);
  void member_change(BusRequest& request, bool joined);
  void destroyed(const std::string& key);
  void on_subscribe_reply(redisReply* reply);
  void on_command_reply(Shard& shard, redisReply* reply);
  Shard& shard_of(const Room& room) { return shards_[room.shard]; }
  Shard& shard_of_key(std::string_view redis_key) { return shards_[topology_->server_of_key(redis_key)]; }
  void expect(Shard& shard, Pending pending);
  bool all_links_up() const;
  void on_snapshot_reply(const std::string& key, redisReply* reply);
  void on_channel_message(std::string_view channel, std::string_view message);
  void track(Room& room, std::string_view message);
  void emit(std::size_t loop, LoopEvent event);
  void post_events();
  void send_unsent(const Pending& pending);

  void on_up(RedisLink& link) override;
  void on_down(RedisLink& link, std::string_view why) override;
  void on_reply(RedisLink& link, redisReply* reply) override;
  void go_down(std::string_view why);
  void reconnect();
  void load_scripts();
  void became_up();
  void tick();
  void heartbeat();
  void check_peers();
  void on_peer_checked(const std::string& node, redisReply* reply);

  BusOptions options_;
  loop::EventLoop loop_;
  int wake_fd_ = -1;
  std::atomic<bool> wake_pending_{false};
  std::vector<std::unique_ptr<LoopPort>> ports_;
  std::vector<Outbox> outboxes_;
  std::optional<redis::Topology> topology_;
  std::vector<Shard> shards_;
  std::unordered_map<std::string, Room> rooms_;
  std::vector<BusRequest> draining_;
  std::string sha_publish_, sha_attach_, sha_join_, sha_leave_, sha_reap_;
  std::size_t scripts_loading_ = 0;
  bool up_ = false;
  bool reconnect_scheduled_ = false;
  bool reported_down_ = false;  // this outage is logged
  loop::Clock::time_point next_heartbeat_{}, next_peer_check_{};
  std::thread thread_;

  mutable std::mutex health_mutex_;
  bool healthy_ = false;
  std::string down_reason_ = "connecting to Redis";
};

}  // namespace rk::cluster
