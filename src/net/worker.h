#pragma once
// One event loop thread's worth of server: its io_context, its listening
// socket, and the LoopContext its connections share.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/settings.h"
#include "session/loop_context.h"
#include "store/room_store.h"

namespace rk::net {

class Worker {
 public:
  Worker(const config::Settings& settings, store::RoomStore& store);

  // Binds and listens; throws boost::system::system_error.
  void listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  boost::asio::io_context& io() { return io_; }
  // Stops accepting and asks every connection to close (1001).
  void begin_shutdown(std::function<void()> on_all_closed);
  void drop_remaining_connections();
  void run() { io_.run(); }

 private:
  void accept_next();

  boost::asio::io_context io_{1};
  session::LoopContext loop_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
};

}  // namespace rk::net
