#include "net/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>

#include "net/worker.h"
#include "store/open_store.h"

namespace rk::net {
namespace asio = boost::asio;

namespace {
constexpr int kExitUsage = 2;
}

int serve(const config::Settings& settings) {
  std::unique_ptr<store::RoomStore> store;
  try {
    store = store::open_store(settings.store, {settings.store_password_file});
  } catch (const std::exception& e) {
    std::cerr << "roomkey: " << e.what() << "\n";
    return kExitUsage;
  }

  Worker worker(settings, *store);
  try {
    worker.listen({asio::ip::make_address(settings.host), settings.port});
  } catch (const std::exception& e) {
    std::cerr << "roomkey: cannot listen on " << settings.host << ":" << settings.port << ": " << e.what() << "\n";
    return kExitUsage;
  }
  const auto endpoint = worker.local_endpoint();
  spdlog::info("roomkey listening on ws://{}:{} (store: {})", endpoint.address().to_string(), endpoint.port(),
               store->describe());

  asio::signal_set signals(worker.io(), SIGINT, SIGTERM);
  asio::steady_timer deadline(worker.io());
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: closing connections (up to {}s)", signal, settings.shutdown_timeout_s);
    deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(settings.shutdown_timeout_s)));
    deadline.async_wait([&](boost::system::error_code timer_ec) {
      if (!timer_ec) worker.drop_remaining_connections();
    });
    worker.begin_shutdown([&] { deadline.cancel(); });
  });

  worker.run();
  store->drain();  // every acknowledged write is already durable; this ends the store thread
  spdlog::info("roomkey stopped");
  return 0;
}

}  // namespace rk::net
