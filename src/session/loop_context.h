#pragma once
// What one event loop owns and lends to its connections: its rooms, its JSON
// parser, its transports' shared buffers and flush list, its connections.
// One per thread; only post() crosses threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "auth/token_verifier.h"
#include "cluster/cluster_bus.h"
#include "config/settings.h"
#include "proxy/address_ranges.h"
#include "http/router.h"
#include "loop/event_loop.h"
#include "protocol/client_message.h"
#include "protocol/client_message_v2.h"
#include "room/room_registry.h"
#include "session/address_allowance.h"
#include "session/connection_set.h"
#include "session/loop_metrics.h"
#include "store/room_store.h"
#include "tls/tls_context.h"
#include "transport/transport_loop.h"
#include "util/limit_ticket.h"

namespace rk::session {

class Connection;
class ClusterSync;

// What every loop shares, owned by the server: read-only settings and router,
// the store, and the key-guessing guard.
struct SharedServices {
  const config::Settings& settings;
  store::RoomStore& store;
  AddressAllowance& join_guard;    // unknown-key joins per address
  AddressAllowance& create_guard;  // creates per address
  const http::Router& router;
  const auth::TokenVerifier* verifier = nullptr;  // null: token auth is off
  const proxy::AddressRanges* trusted_proxies = nullptr;  // null: none
  // Counts a proxied connection's client in (--max-connections-per-ip), once
  // its address is known; an empty ticket (and why) if refused.
  std::function<LimitTicket(const sockaddr_storage&, std::string_view& refusal)> admit_client;
  const http::Router* metrics_router = nullptr;  // --metrics-port's routes; null: none
};

class LoopContext {
 public:
  LoopContext(loop::EventLoop& loop, const SharedServices& shared);
  ~LoopContext();

  loop::EventLoop& loop;
  const config::Settings& settings;
  store::RoomStore& store;
  AddressAllowance& join_guard;    // shared by all loops
  AddressAllowance& create_guard;  // shared by all loops
  const http::Router& router;
  const http::Router* metrics_router;   // for connections to --metrics-port
  const auth::TokenVerifier* verifier;  // null: token auth is off
  const proxy::AddressRanges* trusted_proxies;  // null: none
  std::function<LimitTicket(const sockaddr_storage&, std::string_view&)> admit_client;
  transport::TransportLoop io;
  room::RoomRegistry rooms;
  protocol::ClientMessageParser parser;
  protocol::v2::ClientMessageParserV2 parser_v2;
  std::string publication_scratch;  // a publication's v2 JSON, before it is framed
  // Null: plain TCP. New connections take this loop's reference; a reload
  // (SIGHUP) replaces it with a task on this loop, so no lock is shared.
  tls::ContextPtr tls_context;
  // Cluster mode (--cluster): this loop's side of the bus; null otherwise.
  std::unique_ptr<ClusterSync> cluster;
  void join_cluster(cluster::BusOptions options);
  LoopCounters counters;  // this thread only
  // This loop's counters and what it holds now; run on this loop's thread.
  MetricsSnapshot metrics_snapshot();
  bool shutting_down = false;
  std::function<void()> on_last_connection_gone;

  // All loops of the process, this one included, so that a connection can
  // move to the loop that owns its room. Set once before the loops start.
  // Each loop's rooms keep their share of --history-max-bytes.
  void set_peers(std::vector<LoopContext*> peers);
  LoopContext& owner_of(std::string_view room_key);

  // Wall-clock time of this turn in Unix milliseconds, from the loop's cached
  // time: no clock call per publication. Re-synced by the retention sweep.
  std::int64_t unix_ms() const {
    return unix_base_ms_ + std::chrono::duration_cast<std::chrono::milliseconds>(loop.now() - steady_base_).count();
  }

  // Takes a freshly accepted socket and its admission ticket (released when
  // the connection is freed).
  // `metrics_port`: it came to --metrics-port (plain HTTP, metrics_router).
  void adopt(int fd, LimitTicket ticket, bool from_trusted_proxy = false, bool metrics_port = false);
  // A connection leaving for another loop: forgotten here, not freed.
  void release(Connection* connection);
  // A connection arriving from another loop (runs on this loop).
  void take_over(ConnectionPtr connection);
  std::size_t connection_count() const { return live_.size(); }
  void for_each_connection(const std::function<void(Connection&)>& visit);

  // Pings silent connections, drops dead ones and ones stuck before their
  // init: one sweep over this loop's connections, a few times a second.
  void start_liveness_sweep();
  // Expires old history and state and lets rooms with nothing left go.
  void start_retention_sweep();

  // The connection is closed: forget it now, free it at the end of the turn
  // (never inside its own callback).
  void retire(Connection* connection);

 private:
  void end_turn();
  void sweep();
  void forget(Connection* connection, bool keep_until_turn_end);

  void sync_wall_clock();

  std::vector<LoopContext*> peers_;
  loop::Clock::time_point steady_base_;
  std::int64_t unix_base_ms_ = 0;
  ConnectionSet live_;
  std::vector<ConnectionPtr> retired_;
};

}  // namespace rk::session
