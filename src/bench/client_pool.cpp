#include "bench/client_pool.h"

#include <arpa/inet.h>

#include <stdexcept>

#include "bench/bench_support.h"

namespace rk::bench {

ClientPool::ClientPool(loop::EventLoop& loop, BenchEvents& events, const BenchOptions& options, InitFor init_for)
    : options_(options), init_for_(std::move(init_for)) {
  sockaddr_in server{};
  server.sin_family = AF_INET;
  if (::inet_pton(AF_INET, options.host.c_str(), &server.sin_addr) != 1)
    throw std::runtime_error("--host must be an IPv4 address");
  for (const std::uint16_t port : options.ports.empty() ? std::vector<std::uint16_t>{options.port} : options.ports) {
    server.sin_port = htons(port);
    servers_.push_back(server);
  }
  sources_ = parse_source_ips(options.source_ips);
  if (options.tls && !(tls_context_ = tls::unverified_client_context()))
    throw std::runtime_error("cannot create a TLS client context");
  const int clients = options.rooms * options.members;
  for (int i = 0; i < clients; ++i)
    clients_.push_back(
        std::make_unique<BenchClient>(loop, events, receive_buffer_, plain_buffer_, tls_context_.get(), i));
}

void ClientPool::queue(int client) {
  queue_.push_back(client);
  pump();
}

bool ClientPool::connect_now(int client) {
  ++pending_;
  Init init = init_for_(client);
  if ((*this)[client].connect(server_for(client), nullptr, std::move(init.json), init.close_after)) return true;
  --pending_;
  ++failed_to_start_;
  return false;
}

void ClientPool::settled() {
  --pending_;
  pump();
}

void ClientPool::pump() {
  while (pending_ < options_.max_pending && !queue_.empty()) {
    const int client = queue_.front();
    queue_.pop_front();
    const sockaddr_in* source =
        sources_.empty() ? nullptr : &sources_[static_cast<std::size_t>(client) % sources_.size()];
    ++pending_;
    Init init = init_for_(client);
    if (!(*this)[client].connect(server_for(client), source, std::move(init.json), init.close_after)) {
      ++failed_to_start_;
      --pending_;
    }
  }
}

}  // namespace rk::bench
