#pragma once
// What one event loop owns and lends to its connections: the loop itself, its
// rooms, its JSON parser, scratch buffers, and the list of sockets to flush at
// the end of this loop turn. One per thread; never shared between threads.
#include <sys/uio.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "config/settings.h"
#include "protocol/client_message.h"
#include "room/room_registry.h"
#include "store/room_store.h"

namespace rk::session {

class Connection;

class LoopContext {
 public:
  LoopContext(boost::asio::io_context& io, const config::Settings& settings, store::RoomStore& store)
      : io(io), settings(settings), store(store), read_buffer(64 * 1024) {}

  boost::asio::io_context& io;
  const config::Settings& settings;
  store::RoomStore& store;
  room::RoomRegistry rooms;
  protocol::ClientMessageParser parser;
  std::vector<char> read_buffer;  // every socket of this loop reads into it
  std::vector<iovec> iov;         // gather-write scratch
  std::unordered_set<Connection*> live;
  std::function<void()> on_last_connection_gone;  // set during shutdown

  // Queues `connection` to be flushed once, after everything this loop turn
  // delivers: many frames, one write.
  void request_flush(std::shared_ptr<Connection> connection) {
    dirty_.push_back(std::move(connection));
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(io, [this] { flush_dirty(); });
  }

 private:
  void flush_dirty();

  std::vector<std::shared_ptr<Connection>> dirty_;
  std::vector<std::shared_ptr<Connection>> flushing_;
  bool flush_posted_ = false;
};

}  // namespace rk::session
