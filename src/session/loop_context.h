#pragma once
// What one event loop owns and lends to its connections: its rooms, its JSON
// parser, scratch buffers, its connections, and the list of sockets to flush
// at the end of this turn. One per thread; only post() crosses threads.
#include <sys/uio.h>

#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/settings.h"
#include "loop/event_loop.h"
#include "protocol/client_message.h"
#include "room/room_registry.h"
#include "session/join_guard.h"
#include "store/room_store.h"
#include "util/limit_ticket.h"

namespace rk::session {

class Connection;
struct Handoff;

class LoopContext {
 public:
  LoopContext(loop::EventLoop& loop, const config::Settings& settings, store::RoomStore& store, JoinGuard& join_guard);
  ~LoopContext();

  loop::EventLoop& loop;
  const config::Settings& settings;
  store::RoomStore& store;
  JoinGuard& join_guard;  // shared by all loops
  room::RoomRegistry rooms;
  protocol::ClientMessageParser parser;
  std::vector<char> read_buffer;  // every socket of this loop reads into it
  std::vector<iovec> iov;         // gather-write scratch
  bool shutting_down = false;
  std::function<void()> on_last_connection_gone;

  // All loops of the process, this one included, so that a connection can
  // move to the loop that owns its room. Set once before the loops start.
  void set_peers(std::vector<LoopContext*> peers) { peers_ = std::move(peers); }
  LoopContext& owner_of(std::string_view room_key);

  // Takes a freshly accepted socket and its admission ticket (released when
  // the connection is freed).
  void adopt(int fd, LimitTicket ticket);
  // Takes a socket handed over by another loop (runs on this loop).
  void adopt(Handoff handoff);
  std::size_t connection_count() const { return live_.size(); }
  void for_each_connection(const std::function<void(Connection&)>& visit);

  // Pings silent connections, drops dead ones and ones stuck before their
  // init: one sweep over this loop's connections, a few times a second.
  void start_liveness_sweep();

  // Queues `connection` to be flushed once, after everything this turn
  // delivers: many frames, one write.
  void request_flush(Connection* connection) { dirty_.push_back(connection); }
  // The connection is closed: forget it now, free it at the end of the turn
  // (never inside its own callback).
  void retire(Connection* connection);

 private:
  void end_turn();
  void sweep();

  std::vector<LoopContext*> peers_;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> live_;
  std::vector<Connection*> dirty_;
  std::vector<Connection*> flushing_;
  std::vector<std::shared_ptr<Connection>> retired_;
};

}  // namespace rk::session
