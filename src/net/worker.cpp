#include "net/worker.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "session/connection.h"

namespace rk::net {
namespace asio = boost::asio;

Worker::Worker(const config::Settings& settings, store::RoomStore& store) : loop_(io_, settings, store) {}

void Worker::listen(const asio::ip::tcp::endpoint& endpoint) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  accept_next();
}

void Worker::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // EMFILE and the like: log, back off a little, keep serving the others.
      spdlog::warn("accept: {}", ec.message());
      auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
      timer->async_wait([this, timer](boost::system::error_code) {
        if (acceptor_.is_open()) accept_next();
      });
      return;
    }
    std::make_shared<session::Connection>(loop_, std::move(socket))->start();
    accept_next();
  });
}

void Worker::begin_shutdown(std::function<void()> on_all_closed) {
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (loop_.live.empty()) return on_all_closed();
  loop_.on_last_connection_gone = std::move(on_all_closed);
  // go_away() may end a connection at once, which edits `live`: iterate a copy.
  const std::vector<session::Connection*> connections(loop_.live.begin(), loop_.live.end());
  for (auto* connection : connections) {
    if (loop_.live.contains(connection)) connection->go_away();
  }
}

void Worker::drop_remaining_connections() {
  const std::vector<session::Connection*> connections(loop_.live.begin(), loop_.live.end());
  for (auto* connection : connections) {
    if (loop_.live.contains(connection)) connection->drop();
  }
}

}  // namespace rk::net
