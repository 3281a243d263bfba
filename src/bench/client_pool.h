#pragma once
// The bench's clients and how they connect: the server's address (and the
// local ones to bind, past 64k connections), the buffers and TLS context
// they share, and the pacing of connects (at most --max-pending in
// connect/handshake at once, the rest queued in order).
#include <netinet/in.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_client.h"
#include "bench/bench_options.h"
#include "loop/event_loop.h"
#include "tls/tls_context.h"

namespace rk::bench {

class ClientPool {
 public:
  // What a client sends once it is connected, and whether it closes right
  // after (a churn joiner).
  struct Init {
    std::string json;
    bool close_after = false;
  };
  using InitFor = std::function<Init(int client)>;

  // Throws std::runtime_error for a bad --host or --source-ips.
  ClientPool(loop::EventLoop& loop, BenchEvents& events, const BenchOptions& options, InitFor init_for);

  BenchClient& operator[](int client) { return *clients_[static_cast<std::size_t>(client)]; }
  int size() const { return static_cast<int>(clients_.size()); }

  // Connects `client` now, or once a connect in progress settles.
  void queue(int client);
  // Connects `client` now whatever is pending (a resume); false if the
  // socket could not even start connecting.
  bool connect_now(int client);
  // A connect in progress settled (opened, or failed): the next may go.
  void settled();
  // Connects that could not even start.
  std::uint64_t failed_to_start() const { return failed_to_start_; }

 private:
  void pump();

  const BenchOptions& options_;
  InitFor init_for_;
  std::vector<char> receive_buffer_ = std::vector<char>(1 << 20);
  std::vector<char> plain_buffer_ = std::vector<char>(1 << 20);
  tls::ContextPtr tls_context_;
  std::vector<sockaddr_in> servers_;  // one, or the nodes of --ports
  const sockaddr_in& server_for(int client) const {
    return servers_[static_cast<std::size_t>(client % options_.members) % servers_.size()];
  }
  std::vector<sockaddr_in> sources_;
  std::vector<std::unique_ptr<BenchClient>> clients_;
  std::deque<int> queue_;
  int pending_ = 0;
  std::uint64_t failed_to_start_ = 0;
};

}  // namespace rk::bench
