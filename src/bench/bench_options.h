#pragma once
// `roomkey bench`: a load generator (protocol v1, or roomkey's v2), usable against any server
// that speaks the original protocol (roomkey, the original Python server, a
// peer). Every run prints one JSON line on stdout; progress goes to stderr.
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rk::bench {

struct BenchOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8001;
  std::vector<std::uint16_t> ports;  // several nodes (cluster mode): a room's members spread over them
  std::string mode = "fanout";  // fanout | idle | churn | resume
  int rooms = 100;
  int members = 10;
  double rate = 0;   // messages/s per client; 0 = closed loop with --inflight
  int inflight = 2;  // closed loop: messages a sender keeps undelivered
  double duration_s = 10;
  double warmup_s = 2;
  double drain_s = 10;
  int size = 0;  // pad Location Data frames to about this many bytes
  std::string source_ips;  // e.g. 127.0.0.1-127.0.0.20: beyond 64k connections
  int max_pending = 256;   // connections in connect/handshake at once
  std::vector<int> server_pids;  // adds these processes' CPU and memory (summed) to the report
  int protocol = 1;        // 2: protocol v2, with the offset checks
  double resume_rate = 1;  // resume mode: drops and resumes per second
  bool tls = false;        // wss://, the server's certificate not checked
  std::string token;          // the same token for every client (--auth-key servers)
  std::string auth_key_file;  // or an HS256 secret to mint one per client
};

void add_bench_flags(CLI::App& command, BenchOptions& options);

// Runs the workload; returns the process exit code.
int run_bench(const BenchOptions& options);

}  // namespace rk::bench
