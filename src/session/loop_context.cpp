#include "session/loop_context.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "session/cluster_sync.h"
#include "session/connection.h"

namespace rk::session {

LoopContext::LoopContext(loop::EventLoop& loop, const SharedServices& shared)
    : loop(loop),
      settings(shared.settings),
      store(shared.store),
      join_guard(shared.join_guard),
      create_guard(shared.create_guard),
      router(shared.router),
      metrics_router(shared.metrics_router),
      verifier(shared.verifier),
      trusted_proxies(shared.trusted_proxies),
      admit_client(shared.admit_client),
      io(loop),
      rooms(room::RetentionLimits{
          shared.settings.history_size, static_cast<std::int64_t>(shared.settings.history_ttl_s * 1000),
          static_cast<std::int64_t>(shared.settings.state_ttl_s * 1000), shared.settings.history_max_bytes}) {
  peers_.push_back(this);
  loop.on_turn_end([this] { end_turn(); });
  sync_wall_clock();
}

void LoopContext::sync_wall_clock() {
  steady_base_ = loop::Clock::now();
  unix_base_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
}

LoopContext::~LoopContext() = default;

void LoopContext::join_cluster(cluster::BusOptions options) {
  rooms.set_member_id_suffix("." + options.node);
  cluster = std::make_unique<ClusterSync>(*this, std::move(options));
  rooms.on_forget([this](const room::Room& room) { cluster->forget(room); });
}

void LoopContext::set_peers(std::vector<LoopContext*> peers) {
  peers_ = std::move(peers);
  rooms.retention().limits.max_bytes = settings.history_max_bytes / std::max<std::size_t>(1, peers_.size());
}

LoopContext& LoopContext::owner_of(std::string_view room_key) {
  if (peers_.size() == 1) return *this;
  return *peers_[std::hash<std::string_view>{}(room_key) % peers_.size()];
}

void LoopContext::adopt(int fd, LimitTicket ticket, bool from_trusted_proxy, bool metrics_port) {
  ++counters.connections_accepted;
  ConnectionPtr connection(new Connection(*this, fd, std::move(ticket), from_trusted_proxy, metrics_port));
  live_.add(connection);
  connection->start();
}

void LoopContext::take_over(ConnectionPtr connection) {
  live_.add(std::move(connection));
}

MetricsSnapshot LoopContext::metrics_snapshot() {
  MetricsSnapshot snapshot;
  snapshot.counters = counters;
  for (const auto& connection : live_) {
    switch (connection->protocol_version()) {
      case 0:
        ++snapshot.connections_http;
        break;
      case 2:
        ++snapshot.connections_v2;
        break;
      default:
        ++snapshot.connections_v1;
    }
  }
  snapshot.rooms = rooms.size();
  snapshot.bytes_received = io.bytes_received;
  snapshot.bytes_sent = io.bytes_sent;
  return snapshot;
}

void LoopContext::for_each_connection(const std::function<void(Connection&)>& visit) {
  // A visit may close a connection, which edits live_: walk a snapshot.
  std::vector<ConnectionPtr> snapshot;
  snapshot.reserve(live_.size());
  for (const auto& connection : live_) snapshot.push_back(connection);
  for (auto& connection : snapshot) visit(*connection);
}

void LoopContext::start_liveness_sweep() {
  // A quarter of the shortest timeout keeps each deadline within 25 % late.
  const double period = std::min({settings.ping_interval_s, settings.ping_timeout_s, settings.handshake_timeout_s,
                                   settings.init_timeout_s}) / 4;
  loop.add_timer(std::chrono::duration_cast<loop::Clock::duration>(std::chrono::duration<double>(period)), [this] {
    sweep();
    if (!shutting_down) start_liveness_sweep();
  });
}

void LoopContext::start_retention_sweep() {
  // A tenth of the shorter lifetime, between 1 s and a minute: an entry
  // leaves at most that late.
  const double ttl_s = std::min(settings.history_ttl_s, settings.state_ttl_s > 0 ? settings.state_ttl_s : 1e9);
  const double period = std::clamp(ttl_s / 10, 1.0, 60.0);
  loop.add_timer(std::chrono::duration_cast<loop::Clock::duration>(std::chrono::duration<double>(period)), [this] {
    sync_wall_clock();
    rooms.expire(unix_base_ms_);
    if (!shutting_down) start_retention_sweep();
  });
}

void LoopContext::sweep() {
  const auto now = loop::Clock::now();
  // No snapshot: a check closes at most its own connection.
  live_.visit_each([now](Connection& connection) { connection.check_liveness(now); });
}

void LoopContext::retire(Connection* connection) { forget(connection, true); }

void LoopContext::release(Connection* connection) { forget(connection, false); }

void LoopContext::forget(Connection* connection, bool keep_until_turn_end) {
  ConnectionPtr removed = live_.remove(connection);
  if (!removed) return;
  if (keep_until_turn_end) retired_.push_back(std::move(removed));
  if (live_.empty() && on_last_connection_gone) on_last_connection_gone();
}

void LoopContext::end_turn() {
  if (cluster) cluster->flush();  // first: what it answers is flushed with the rest
  io.flush_all();
  retired_.clear();
}

}  // namespace rk::session
