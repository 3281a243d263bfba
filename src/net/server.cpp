#include "net/server.h"

#include <pthread.h>
#include <sched.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iostream>
#include <memory>
#include <spdlog/spdlog.h>
#include <thread>
#include <vector>

#include "auth/token_verifier.h"
#include "cluster/cluster_bus.h"
#include "cluster/startup_check.h"
#include "session/cluster_sync.h"
#include "net/admission.h"
#include "net/http_routes.h"
#include "net/listener.h"
#include "net/service_notify.h"
#include "net/worker.h"
#include "room/room_key.h"
#include "store/open_store.h"
#include "tls/tls_context.h"
#include "ws/handshake.h"

namespace rk::net {
namespace {

// By convention: 2 when the settings are wrong (a bad value, a file that is
// not a certificate); 1 when the world refuses at run time (a port taken, a
// store that cannot be opened or refuses us).
constexpr int kExitUsage = 2;
constexpr int kExitRuntime = 1;

// OpenSSL 3 loads its default provider at the first digest or random
// bytes, and registering every algorithm touches about 2 MB of its code.
// Done here, before the port opens, the first client does not wait for it,
// and the memory shows in the server's size at start, not as the first
// connections' cost.
void load_crypto_now() {
  static_cast<void>(ws::compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="));
  static_cast<void>(room::generate_room_key());
}

// The cores this process may run on (taskset/cgroups), not all the machine's.
unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// SIGTERM/SIGINT/SIGHUP arrive as readable events on worker 0's loop.
class SignalWatcher final : public loop::IoHandler {
 public:
  SignalWatcher(loop::EventLoop& loop, std::function<void(int)> on_signal)
      : loop_(loop), on_signal_(std::move(on_signal)) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    loop_.add(fd_, this, EPOLLIN);
  }
  ~SignalWatcher() {
    loop_.remove(fd_);
    ::close(fd_);
  }
  void on_io(std::uint32_t) override {
    signalfd_siginfo info{};
    while (::read(fd_, &info, sizeof info) == sizeof info) on_signal_(static_cast<int>(info.ssi_signo));
  }

 private:
  loop::EventLoop& loop_;
  std::function<void(int)> on_signal_;
  int fd_ = -1;
};

void block_handled_signals() {
  // Blocked in every thread (they inherit the mask) so that only the signalfd sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void shut_down_worker(Worker& worker, double timeout_s) {
  const auto deadline = worker.loop().add_timer(
      std::chrono::duration_cast<loop::Clock::duration>(std::chrono::duration<double>(timeout_s)),
      [&worker] { worker.drop_remaining_connections(); });
  worker.begin_shutdown([&worker, deadline] {
    worker.loop().cancel_timer(deadline);
    worker.loop().stop();
  });
}

// --io uring where the kernel allows it; else epoll, said once.
std::string choose_io_backend(const std::string& wanted, const std::vector<std::unique_ptr<Worker>>& workers) {
  if (wanted != "uring") return "epoll";
  for (const auto& worker : workers) {
    std::string failure;
    if (worker->loop().use_uring(failure)) continue;
    spdlog::warn("io_uring unavailable ({}): using epoll (--io epoll)", failure);
    for (const auto& started : workers) started->loop().drop_uring();
    return "epoll";
  }
  return "uring";
}

// SIGHUP: a new certificate and key for new handshakes; open connections
// keep the pair they began with. A pair that does not load changes nothing.
void reload_tls(const config::Settings& settings, const std::vector<std::unique_ptr<Worker>>& workers) {
  if (settings.tls_cert.empty()) return spdlog::info("SIGHUP: nothing to reload (no TLS)");
  std::string error;
  tls::ContextPtr context = tls::load_server_context(settings.tls_cert, settings.tls_key, error);
  if (!context) return spdlog::error("SIGHUP: keeping the current certificate: {}", error);
  for (const auto& worker : workers) {
    session::LoopContext* loop = &worker->context();
    worker->loop().post([loop, context] { loop->tls_context = context; });
  }
  spdlog::info("SIGHUP: loaded certificate {} and key {} for new connections", settings.tls_cert, settings.tls_key);
}

}  // namespace

int serve(const config::Settings& settings) {
  block_handled_signals();  // before any thread starts, store threads included
  load_crypto_now();
  tls::ContextPtr tls_context;
  if (!settings.tls_cert.empty()) {
    std::string error;
    tls_context = tls::load_server_context(settings.tls_cert, settings.tls_key, error);
    if (!tls_context) {
      std::cerr << "roomkey: " << error << "\n";
      return kExitUsage;
    }
  }
  std::string store_spec = settings.store;
  redis::RedisConfig cluster_redis;
  if (!settings.cluster.empty()) {
    try {
      cluster_redis = redis::parse_redis_url(settings.cluster);
    } catch (const redis::UrlError& error) {
      std::cerr << "roomkey: --cluster: " << error.what() << "\n";
      return kExitUsage;
    }
    // Every node must see every room: a store of this process's own will not do.
    if (store_spec == config::Settings{}.store) {
      store_spec = settings.cluster;
    } else if (store_spec.starts_with("sqlite:") || store_spec == "memory") {
      std::cerr << "roomkey: --cluster needs a store every node shares: leave --store out (rooms are then kept in "
                   "the cluster's Redis), or give a redis:// or mariadb:// one\n";
      return kExitUsage;
    }
    if (const std::string problem = cluster::check_redis(cluster_redis); !problem.empty()) {
      std::cerr << "roomkey: --cluster: " << problem << "\n";
      return kExitRuntime;
    }
  }
  std::unique_ptr<store::RoomStore> store;
  try {
    store = store::open_store(store_spec, {settings.store_password_file, settings.max_rooms,
                                           static_cast<std::int64_t>(settings.room_ttl_s)});
  } catch (const store::StoreSpecError& e) {
    std::cerr << "roomkey: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "roomkey: " << e.what() << "\n";
    return kExitRuntime;
  }

  std::unique_ptr<auth::TokenVerifier> verifier;
  if (!settings.auth_key_file.empty()) {
    std::string error;
    verifier = auth::TokenVerifier::load(
        settings.auth_key_file,
        {settings.auth_issuer, settings.auth_audience, static_cast<std::int64_t>(settings.auth_leeway_s)}, error);
    if (!verifier) {
      std::cerr << "roomkey: " << error << "\n";
      return kExitUsage;
    }
  }

  std::string api_key;
  if (!settings.api_key_file.empty()) {
    std::string error;
    api_key = api::load_api_key(settings.api_key_file, error);
    if (api_key.empty()) {
      std::cerr << "roomkey: " << error << "\n";
      return kExitUsage;
    }
  }

  proxy::AddressRanges trusted_proxies;
  for (const std::string& entry : settings.trusted_proxies) {
    std::string error;
    if (!trusted_proxies.add(entry, error)) {
      std::cerr << "roomkey: --trusted-proxies: " << error << "\n";
      return kExitUsage;
    }
  }
  if (settings.proxy_protocol && trusted_proxies.empty()) {
    std::cerr << "roomkey: --proxy-protocol needs --trusted-proxies (whose PROXY headers to believe)\n";
    return kExitUsage;
  }

  // A client silent past --handshake-timeout would be closed at once anyway.
  const int quiet_s = static_cast<int>(std::ceil(settings.handshake_timeout_s));
  const Listener listener = open_listener(settings.host, settings.port, quiet_s);
  if (listener.fd < 0) {
    std::cerr << "roomkey: cannot listen on " << settings.host << ":" << settings.port << ": " << listener.error
              << "\n";
    return kExitRuntime;
  }

  const unsigned thread_count = settings.threads ? settings.threads : usable_cores();
  const std::string node = settings.cluster.empty() ? std::string() : cluster::new_node_id();
  Loops loops;  // filled below; /readyz and /metrics ask them
  auto admission = std::make_shared<Admission>(settings.max_connections, settings.max_connections_per_ip);
  session::AddressAllowance join_guard(settings.max_failed_joins_per_minute);
  const api::ApiSettings api_settings{{*store, loops}, std::move(api_key)};
  const RouteServices route_services{*store, loops, api_settings};
  const bool metrics_apart = settings.metrics_port != 0;
  const http::Router router = make_router(route_services, {.metrics = !metrics_apart, .web = !settings.no_web});
  const http::Router metrics_router = make_metrics_router(route_services);
  Listener metrics_listener;
  if (metrics_apart) {
    metrics_listener = open_listener(settings.host, settings.metrics_port, quiet_s);
    if (metrics_listener.fd < 0) {
      std::cerr << "roomkey: cannot listen on " << settings.host << ":" << settings.metrics_port
                << " (--metrics-port): " << metrics_listener.error << "\n";
      return kExitRuntime;
    }
  }
  session::AddressAllowance create_guard(settings.max_creates_per_minute);
  const session::SharedServices shared{
      settings, *store, join_guard, create_guard, router, verifier.get(),
      trusted_proxies.empty() ? nullptr : &trusted_proxies,
      [admission](const sockaddr_storage& client, std::string_view& refusal) { return admission->admit(client, refusal); },
      metrics_apart ? &metrics_router : nullptr};
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < thread_count; ++i) workers.push_back(std::make_unique<Worker>(shared, admission));
  std::vector<session::LoopContext*> contexts;
  for (auto& worker : workers) contexts.push_back(&worker->context());
  const std::string io = choose_io_backend(settings.io, workers);
  for (std::size_t i = 0; !node.empty() && i < workers.size(); ++i) {
    session::LoopContext* loop = &workers[i]->context();
    loop->join_cluster({cluster_redis, node, settings.history_size,
                        static_cast<std::int64_t>(settings.history_ttl_s * 1000),
                        static_cast<std::int64_t>(settings.state_ttl_s * 1000), i == 0});  // loop 0 logs for the node
    workers[i]->loop().post([loop] { loop->cluster->bus().start(); });  // on its own thread
  }
  loops = contexts;
  for (auto& worker : workers) {
    worker->context().tls_context = tls_context;
    worker->context().set_peers(contexts);
    worker->accept_from(listener.fd);
    if (metrics_apart && worker == workers.front()) worker->accept_metrics_from(metrics_listener.fd);
    worker->context().start_liveness_sweep();
    worker->context().start_retention_sweep();
  }

  if (verifier) spdlog::info("token auth on: {} tokens", verifier->algorithm());
  if (!api_settings.key.empty()) spdlog::info("HTTP API on under /api/ (bearer key from {})", settings.api_key_file);
  if (!node.empty()) spdlog::info("cluster mode: node {}, sharing rooms through Redis {}", node, cluster_redis.where());
  if (metrics_apart) spdlog::info("metrics on http://{}:{}/metrics", settings.host, metrics_listener.port);
  spdlog::info("roomkey listening on {}://{}:{} ({} thread{}, store: {}, io: {})", tls_context ? "wss" : "ws",
               settings.host, listener.port, thread_count, thread_count == 1 ? "" : "s", store->describe(), io);

  std::atomic<bool> shutting_down = false;
  SignalWatcher signals(workers[0]->loop(), [&](int signal) {
    if (signal == SIGHUP) return reload_tls(settings, workers);
    if (shutting_down.exchange(true)) return;
    notify_stopping();
    spdlog::info("signal {}: closing connections (up to {}s)", signal, settings.shutdown_timeout_s);
    for (auto& worker : workers) {
      Worker* w = worker.get();
      w->loop().post([w, &settings] { shut_down_worker(*w, settings.shutdown_timeout_s); });
    }
  });

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < workers.size(); ++i) threads.emplace_back([&, i] { workers[i]->loop().run(); });
  workers[0]->loop().post(notify_ready);  // the store is open, the port listens: ready once loop 0 turns
  workers[0]->loop().run();
  for (auto& thread : threads) thread.join();
  ::close(listener.fd);
  if (metrics_apart) ::close(metrics_listener.fd);
  store->drain();  // every acknowledged write is already durable; this ends the store threads
  spdlog::info("roomkey stopped");
  return 0;
}

}  // namespace rk::net
