#include "cluster/cluster_bus.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <spdlog/spdlog.h>

#include "cluster/bus_message.h"
#include "cluster/bus_scripts.h"
#include "redis/blocking_client.h"
#include "redis/resp_writer.h"
#include "redis/room_names.h"

namespace rk::cluster {
namespace {

using redis::RoomPart;
using redis::room_name;
using Clock = loop::Clock;

constexpr auto kReconnectEvery = std::chrono::milliseconds(500);
constexpr auto kTick = std::chrono::milliseconds(250);
constexpr auto kHeartbeatEvery = std::chrono::seconds(2);
constexpr std::int64_t kHeartbeatTtlMs = 10'000;
constexpr auto kPeerCheckEvery = std::chrono::seconds(3);
constexpr std::int64_t kMinSequenceTtlMs = 86'400'000;

std::string node_key(std::string_view node) { return "roomkey:node:" + std::string(node); }

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

}  // namespace

// ---------------------------------------------------------------- the loops' side

void LoopPort::flush() {
  if (turn_.empty()) return;
  bool was_empty;
  {
    std::lock_guard lock(mutex_);
    was_empty = handed_.empty();
    if (was_empty) {
      handed_.swap(turn_);
    } else {
      for (auto& request : turn_) handed_.push_back(std::move(request));
    }
  }
  turn_.clear();
  if (was_empty) bus_.wake();
}

const std::string& LoopPort::node() const { return bus_.node(); }

ClusterBus::ClusterBus(BusOptions options, std::size_t loops) : options_(std::move(options)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  loop_.add(wake_fd_, this, EPOLLIN);
  for (std::size_t i = 0; i < loops; ++i) ports_.push_back(std::make_unique<LoopPort>(*this, i));
  outboxes_.resize(loops);
}

ClusterBus::~ClusterBus() {
  stop();
  loop_.remove(wake_fd_);
  ::close(wake_fd_);
}

void ClusterBus::connect_loop(std::size_t index, loop::EventLoop& loop, BusListener& listener) {
  outboxes_[index].loop = &loop;
  outboxes_[index].listener = &listener;
}

void ClusterBus::start() {
  thread_ = std::thread([this] {
    reconnect();
    loop_.add_timer(kTick, [this] { tick(); });
    loop_.on_turn_end([this] {
      for (auto& shard : shards_) {
        shard.commands->flush();
        shard.subscriber->flush();
      }
      post_events();
    });
    loop_.run();
  });
}

void ClusterBus::stop() {
  if (!thread_.joinable()) return;
  // What the loops handed over last (their members' leaves) goes out first.
  loop_.post([this] {
    drain_ports();
    for (auto& shard : shards_) shard.commands->flush();
    loop_.stop();
  });
  thread_.join();
}

bool ClusterBus::healthy(std::string& why) const {
  std::lock_guard lock(health_mutex_);
  if (!healthy_) why = down_reason_;
  return healthy_;
}

void ClusterBus::wake() {
  if (wake_pending_.exchange(true)) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

void ClusterBus::on_io(std::uint32_t) {
  std::uint64_t count;
  [[maybe_unused]] const auto read = ::read(wake_fd_, &count, sizeof count);
  wake_pending_.store(false);
  drain_ports();
}

void ClusterBus::drain_ports() {
  for (auto& port : ports_) {
    {
      std::lock_guard lock(port->mutex_);
      draining_.swap(port->handed_);
    }
    for (auto& request : draining_) handle(request, port->index_);
    draining_.clear();
  }
}

void ClusterBus::handle(BusRequest& request, std::size_t loop) {
  switch (request.op) {
    case BusRequest::Op::kAttach:
      return attach(request.key, loop);
    case BusRequest::Op::kDetach: {
      const auto found = rooms_.find(request.key);
      if (found == rooms_.end()) return;
      if (up_) {
        RedisLink& subscriber = *shard_of(found->second).subscriber;
        redis::RespWriter(subscriber.out()).all({"SUNSUBSCRIBE", room_name(request.key, RoomPart::kChannel)});
        subscriber.queued(1);
      }
      rooms_.erase(found);
      return;
    }
    case BusRequest::Op::kPublish:
      return publish(request);
    case BusRequest::Op::kJoin:
      return member_change(request, true);
    case BusRequest::Op::kLeave:
      return member_change(request, false);
    case BusRequest::Op::kDestroyed:
      return destroyed(request.key);
  }
}

// ---------------------------------------------------------------- rooms

void ClusterBus::attach(std::string& key, std::size_t loop) {
  if (!up_) {
    rooms_.erase(key);
    RoomSnapshot failed;
    failed.key = key;
    return emit(loop, std::move(failed));
  }
  auto [it, fresh] = rooms_.try_emplace(key);
  Room& room = it->second;
  room.loop = loop;
  if (!fresh && room.phase == Room::Phase::kLive) {
    room.was_live = true;  // a re-read (a gap): the subscription stays
    room.phase = Room::Phase::kLoading;
    return send_attach(key, room);
  }
  if (!fresh) return;  // already on its way
  room.phase = Room::Phase::kSubscribing;
  room.shard = topology_->server_of_key(room_name(key, RoomPart::kChannel));
  RedisLink& subscriber = *shard_of(room).subscriber;
  redis::RespWriter(subscriber.out()).all({"SSUBSCRIBE", room_name(key, RoomPart::kChannel)});
  subscriber.queued(1);
}

void ClusterBus::expect(Shard& shard, Pending pending) {
  shard.commands->queued(1);
  shard.pending.push_back(std::move(pending));
}

void ClusterBus::send_attach(const std::string& key, Room& room) {
  const std::int64_t keep_ms = std::max({options_.history_ttl_ms, options_.state_ttl_ms, kMinSequenceTtlMs});
  Shard& shard = shard_of(room);
  redis::RespWriter out(shard.commands->out());
  out.command(10 + room.locals.size() * 2).arg("EVALSHA").arg(sha_attach_).arg(std::int64_t{4});
  for (auto part : {RoomPart::kSeq, RoomPart::kLog, RoomPart::kState, RoomPart::kMembers})
    out.arg(room_name(key, part));
  out.arg(fresh_epoch()).arg(keep_ms).arg(room_name(key, RoomPart::kChannel));
  for (const auto& [field, message] : room.locals) out.arg(field).arg(message);
  expect(shard, {Pending::Op::kAttach, key, {}, {}});
}

void ClusterBus::publish(BusRequest& request) {
  const auto found = rooms_.find(request.key);
  if (!up_ || found == rooms_.end()) {
    const std::size_t loop = found == rooms_.end() ? 0 : found->second.loop;
    if (found == rooms_.end()) return;  // the room left this node meanwhile
    return emit(loop, Unsent{std::move(request.key), std::move(request.first), std::move(request.second)});
  }
  const std::int64_t keep_ms = std::max({options_.history_ttl_ms, options_.state_ttl_ms, kMinSequenceTtlMs});
  Shard& shard = shard_of(found->second);
  redis::RespWriter out(shard.commands->out());
  out.command(14).arg("EVALSHA").arg(sha_publish_).arg(std::int64_t{3});
  for (auto part : {RoomPart::kSeq, RoomPart::kLog, RoomPart::kState}) out.arg(room_name(request.key, part));
  out.arg(room_name(request.key, RoomPart::kChannel)).arg(request.first);
  out.arg(static_cast<std::int64_t>(options_.history_size)).arg(std::max<std::int64_t>(options_.history_ttl_ms, 1));
  out.arg(request.second).arg(std::max<std::int64_t>(options_.state_ttl_ms, 1)).arg(keep_ms).arg(fresh_epoch());
  expect(shard, {Pending::Op::kPublish, std::move(request.key), std::move(request.first), std::move(request.second)});
}

void ClusterBus::member_change(BusRequest& request, bool joined) {
  const auto found = rooms_.find(request.key);
  if (found == rooms_.end()) return;
  if (joined) {
    found->second.locals[request.first] = request.second;
  } else {
    found->second.locals.erase(request.first);
  }
  if (!up_) return;  // re-registered (joins) or reaped (leaves) once Redis is back
  Shard& shard = shard_of(found->second);
  redis::RespWriter out(shard.commands->out());
  out.command(7).arg("EVALSHA").arg(joined ? sha_join_ : sha_leave_).arg(std::int64_t{1});
  out.arg(room_name(request.key, RoomPart::kMembers)).arg(room_name(request.key, RoomPart::kChannel));
  out.arg(request.first).arg(request.second);
  expect(shard, {Pending::Op::kOther, {}, {}, {}});
}

void ClusterBus::destroyed(const std::string& key) {
  if (!up_) {
    rooms_.erase(key);
    return;
  }
  const std::string channel = room_name(key, RoomPart::kChannel);
  Shard& shard = shard_of_key(channel);
  if (rooms_.erase(key)) {
    redis::RespWriter(shard.subscriber->out()).all({"SUNSUBSCRIBE", channel});
    shard.subscriber->queued(1);
  }
  redis::RespWriter out(shard.commands->out());
  out.all({"DEL", room_name(key, RoomPart::kSeq), room_name(key, RoomPart::kLog), room_name(key, RoomPart::kState),
           room_name(key, RoomPart::kMembers)});
  out.all({"SPUBLISH", channel, destroyed_message(options_.node)});
  expect(shard, {Pending::Op::kOther, {}, {}, {}});
  expect(shard, {Pending::Op::kOther, {}, {}, {}});
}

// ---------------------------------------------------------------- replies

void ClusterBus::on_reply(RedisLink& link, redisReply* reply) {
  Shard& shard = shards_[link.shard()];
  if (&link == shard.subscriber.get()) return on_subscribe_reply(reply);
  on_command_reply(shard, reply);
}

void ClusterBus::on_subscribe_reply(redisReply* reply) {
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const std::string_view kind = redis::text_of(reply->element[0]);
  const std::string_view channel = redis::text_of(reply->element[1]);
  if (kind == "smessage") return on_channel_message(channel, redis::text_of(reply->element[2]));
  const auto found = rooms_.find(std::string(key_of_channel(channel)));
  if (kind == "sunsubscribe" && found != rooms_.end() && found->second.phase == Room::Phase::kLive) {
    // Not asked for: Redis Cluster moved the room's slot to another master.
    return go_down("a room's slot moved to another master");
  }
  if (kind != "ssubscribe") return;
  if (found == rooms_.end() || found->second.phase != Room::Phase::kSubscribing) return;
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
    if (error.starts_with("MOVED") || error.starts_with("ASK") || error.starts_with("CLUSTERDOWN") ||
        error.starts_with("NOSCRIPT") || error.starts_with("TRYAGAIN")) {
      shard.pending.push_front(std::move(pending));  // handed back like the rest
      return go_down(std::string("Redis answered ") + std::string(error.substr(0, 60)));
    }
    spdlog::warn("cluster: Redis answered an error: {}", error);
    if (pending.op == Pending::Op::kPublish) send_unsent(pending);
    if (pending.op == Pending::Op::kAttach) {
      const auto found = rooms_.find(pending.key);
      if (found != rooms_.end()) {
        RoomSnapshot failed;
        failed.key = pending.key;
        emit(found->second.loop, std::move(failed));
        rooms_.erase(found);
      }
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
      return on_snapshot_reply(pending.key, reply);
    case Pending::Op::kPeerCheck:
      return on_peer_checked(pending.key, reply);
    case Pending::Op::kPublish:
    case Pending::Op::kOther:
      return;
  }
}

void ClusterBus::on_snapshot_reply(const std::string& key, redisReply* reply) {
  const auto found = rooms_.find(key);
  if (found == rooms_.end()) return;  // detached meanwhile
  Room& room = found->second;
  RoomSnapshot snapshot;
  snapshot.key = key;
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 5) {
    snapshot.ok = true;
    snapshot.resync = room.was_live;
    snapshot.epoch = redis::text_of(reply->element[0]);
    const std::string offset(redis::text_of(reply->element[1]));
    snapshot.offset = offset.empty() ? 0 : std::stoull(offset);
    snapshot.history = strings_of(reply->element[2]);
    snapshot.states = strings_of(reply->element[3]);
    snapshot.members = strings_of(reply->element[4]);
  }
  room.remotes.clear();
  for (const auto& member : snapshot.members) track(room, member);
  const bool ok = snapshot.ok;
  emit(room.loop, std::move(snapshot));
  if (!ok) {
    rooms_.erase(found);
    return;
  }
  room.phase = Room::Phase::kLive;
  room.was_live = true;
  for (auto& message : room.held) emit(room.loop, ChannelMessage{key, std::move(message)});
  room.held.clear();
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
  emit(room.loop, ChannelMessage{std::string(key), std::string(message)});
}

// Which other nodes have members here: their heartbeats are watched.
void ClusterBus::track(Room& room, std::string_view message) {
  if (message.empty() || (message.front() != 'J' && message.front() != 'L')) return;
  const auto parsed = parse_bus_message(message);
  if (!parsed || parsed->node == options_.node) return;
  const std::string field = member_field(parsed->node, parsed->member_id);
  if (parsed->kind == MessageKind::kJoin) {
    room.remotes[field] = std::string(parsed->node);
  } else {
    room.remotes.erase(field);
  }
}

void ClusterBus::send_unsent(const Pending& pending) {
  const auto found = rooms_.find(pending.key);
  if (found == rooms_.end()) return;
  emit(found->second.loop, Unsent{pending.key, pending.body, pending.state_field});
}

void ClusterBus::emit(std::size_t loop, LoopEvent event) { outboxes_[loop].events.push_back(std::move(event)); }

void ClusterBus::post_events() {
  for (auto& outbox : outboxes_) {
    if (outbox.events.empty() || !outbox.loop) continue;
    outbox.loop->post([listener = outbox.listener, events = std::move(outbox.events)]() mutable {
      for (auto& event : events) {
        std::visit(
            [listener](auto& e) {
              using T = std::decay_t<decltype(e)>;
              if constexpr (std::is_same_v<T, RoomSnapshot>) {
                listener->on_snapshot(e);
              } else if constexpr (std::is_same_v<T, ChannelMessage>) {
                listener->on_room_message(e.key, e.text);
              } else if constexpr (std::is_same_v<T, Down>) {
                listener->on_bus_down();
              } else {
                listener->on_unsent(e.key, e.body, e.state_field);
              }
            },
            event);
      }
    });
    outbox.events = {};
  }
}

// ---------------------------------------------------------------- up and down

// Asks which servers serve which slots (blocking this thread for at most
// about a second while Redis is down: the loops go on meanwhile), then opens
// two links to each.
void ClusterBus::reconnect() {
  reconnect_scheduled_ = false;
  redis::RedisConfig quick = options_.redis;
  quick.connect_timeout_ms = std::min(quick.connect_timeout_ms, 1000);
  quick.io_timeout_ms = std::min(quick.io_timeout_ms, 1000);
  std::optional<redis::Topology> topology;
  {
    redis::BlockingClient seed(quick, "cluster", true);
    topology = redis::Topology::discover(seed, quick);
  }
  if (!topology) return go_down("cannot learn which servers hold which slots");
  topology_ = std::move(topology);
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

void ClusterBus::on_up(RedisLink&) {
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
      expect(shard, {Pending::Op::kScript, name, {}, {}});
      ++scripts_loading_;
    }
  }
}

void ClusterBus::became_up() {
  up_ = true;
  {
    std::lock_guard lock(health_mutex_);
    healthy_ = true;
    down_reason_.clear();
  }
  spdlog::info("cluster: {} Redis {} as node {}", reported_down_ ? "reconnected to" : "connected to",
               options_.redis.where(), options_.node);
  reported_down_ = false;
  heartbeat();
  // Rooms served through the outage: subscribe again, re-register their
  // members, re-read them.
  for (auto& [key, room] : rooms_) {
    const std::string channel = room_name(key, RoomPart::kChannel);
    room.shard = topology_->server_of_key(channel);  // the slots may have moved meanwhile
    room.phase = Room::Phase::kSubscribing;
    room.held.clear();
    RedisLink& subscriber = *shard_of(room).subscriber;
    redis::RespWriter(subscriber.out()).all({"SSUBSCRIBE", channel});
    subscriber.queued(1);
  }
}

void ClusterBus::on_down(RedisLink& link, std::string_view why) { go_down(link.role() + ": " + std::string(why)); }

void ClusterBus::go_down(std::string_view why) {
  const bool was_up = up_;
  up_ = false;
  {
    std::lock_guard lock(health_mutex_);
    healthy_ = false;
    down_reason_ = "Redis " + options_.redis.where() + " unreachable: " + std::string(why);
  }
  if (!reported_down_) {
    reported_down_ = true;
    spdlog::error("cluster: Redis {} unreachable ({}): rooms go on within this node; cross-node delivery resumes "
                  "once it is back",
                  options_.redis.where(), why);
  }
  // The loops hear first, so that the publications handed back below are
  // delivered in the rooms' own sequences.
  if (was_up) {
    for (std::size_t i = 0; i < outboxes_.size(); ++i) emit(i, Down{});
  }
  // Whatever was in flight is lost or unknown: publications are handed back
  // to be delivered here, first attaches fail, re-reads wait for Redis.
  for (auto& shard : shards_) {
    for (auto& pending : shard.pending) {
      if (pending.op == Pending::Op::kPublish) send_unsent(pending);
    }
    shard.pending.clear();
  }
  scripts_loading_ = 0;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    Room& room = it->second;
    room.held.clear();
    if (!room.was_live) {
      RoomSnapshot failed;
      failed.key = it->first;
      emit(room.loop, std::move(failed));
      it = rooms_.erase(it);
      continue;
    }
    room.phase = Room::Phase::kSubscribing;
    ++it;
  }
  for (auto& shard : shards_) {
    shard.commands->close(why);
    shard.subscriber->close(why);
  }
  if (!reconnect_scheduled_) {
    reconnect_scheduled_ = true;
    loop_.add_timer(kReconnectEvery, [this] { reconnect(); });
  }
}

void ClusterBus::tick() {
  const auto now = loop_.now();
  const auto timeout = std::chrono::milliseconds(options_.redis.io_timeout_ms);
  for (auto& shard : shards_) {
    shard.commands->check(now, timeout);
    shard.subscriber->check(now, timeout);
  }
  if (up_ && now >= next_heartbeat_) heartbeat();
  if (up_ && now >= next_peer_check_) check_peers();
  loop_.add_timer(kTick, [this] { tick(); });
}

void ClusterBus::heartbeat() {
  next_heartbeat_ = loop_.now() + kHeartbeatEvery;
  const std::string key = node_key(options_.node);
  Shard& shard = shard_of_key(key);
  redis::RespWriter(shard.commands->out()).command(5).arg("SET").arg(key).arg("1").arg("PX").arg(kHeartbeatTtlMs);
  expect(shard, {Pending::Op::kOther, {}, {}, {}});
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
    expect(shard, {Pending::Op::kPeerCheck, peer, {}, {}});
  }
}

// A node whose heartbeat lapsed is gone: its members leave every room this
// node shares with it (whichever node reaps first announces it).
void ClusterBus::on_peer_checked(const std::string& node, redisReply* reply) {
  if (reply->type != REDIS_REPLY_INTEGER || reply->integer != 0) return;
  spdlog::warn("cluster: node {} stopped its heartbeat: its members leave (timeout)", node);
  for (auto& [key, room] : rooms_) {
    bool shares = false;
    for (auto it = room.remotes.begin(); it != room.remotes.end();) {
      if (it->second == node) {
        shares = true;
        it = room.remotes.erase(it);
      } else {
        ++it;
      }
    }
    if (!shares) continue;
    Shard& shard = shard_of(room);
    redis::RespWriter out(shard.commands->out());
    out.command(6).arg("EVALSHA").arg(sha_reap_).arg(std::int64_t{1}).arg(room_name(key, RoomPart::kMembers));
    out.arg(room_name(key, RoomPart::kChannel)).arg(node);
    expect(shard, {Pending::Op::kOther, {}, {}, {}});
  }
}

}  // namespace rk::cluster
