#include <CLI/CLI.hpp>

#include "bench/bench_options.h"

namespace rk::bench {

void add_bench_flags(CLI::App& command, BenchOptions& o) {
  command.add_option("--host", o.host, "Server IPv4 address")->capture_default_str();
  command.add_option("--port", o.port, "Server port")->capture_default_str();
  command
      .add_option("--ports", o.ports,
                  "Several nodes of one roomkey cluster (--cluster), e.g. 8001,8002: each room's members are dealt "
                  "over them in turn (member m connects to the (m mod N)-th port); instead of --port")
      ->delimiter(',');
  command.add_option("--mode", o.mode, "fanout: relay throughput and latency; idle: memory per held connection; "
                                       "churn: connect + join + close per second; resume: fanout at --rate while "
                                       "members drop and resume (protocol 2)")
      ->check(CLI::IsMember({"fanout", "idle", "churn", "resume"}))
      ->capture_default_str();
  command.add_option("--rooms", o.rooms, "Rooms")->check(CLI::Range(1, 1000000))->capture_default_str();
  command.add_option("--members", o.members, "Members per room (the first creates it)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command.add_option("--rate", o.rate, "fanout: messages/s per client; 0 = closed loop, see --inflight")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  command.add_option("--inflight", o.inflight, "fanout, rate 0: messages per sender kept undelivered")
      ->check(CLI::Range(1, 1 << 16))
      ->capture_default_str();
  command.add_option("--duration", o.duration_s, "Seconds measured (fanout), held (idle)")->capture_default_str();
  command.add_option("--warmup", o.warmup_s, "fanout: seconds of load before measuring")->capture_default_str();
  command.add_option("--drain", o.drain_s, "fanout: seconds at most to wait for late deliveries")
      ->capture_default_str();
  command.add_option("--size", o.size, "Pad names so a Location Data frame is about this many bytes")
      ->capture_default_str();
  command.add_option("--source-ips", o.source_ips,
                     "Bind clients round-robin to these local addresses (127.0.0.1-127.0.0.20): more than "
                     "64k connections to one server port");
  command.add_option("--max-pending", o.max_pending, "Connections in connect/handshake at once")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command.add_option("--server-pid", o.server_pids,
                     "Report this process's CPU and memory too (several, comma-separated: their sums)")
      ->delimiter(',');
  command.add_option("--protocol", o.protocol,
                     "1: the original protocol (any v1 server); 2: roomkey's protocol v2, checking that every "
                     "member sees offsets 1, 2, 3, ... without gap or duplicate (senders ask for acks)")
      ->check(CLI::IsMember({1, 2}))
      ->capture_default_str();
  command.add_flag("--tls", o.tls,
                   "Connect with TLS (wss://), as to roomkey --tls-cert or the uWebSockets TLS anchor; the "
                   "server's certificate is not verified (test certificates)");
  command.add_option("--token", o.token, "For a server with --auth-key: the token every client's init carries");
  command.add_option("--auth-key", o.auth_key_file,
                     "For a server with --auth-key (HS256): its secret file; each client gets a token of its own "
                     "(sub: its name, valid an hour)")
      ->check(CLI::ExistingFile);
  command.add_option("--resume-rate", o.resume_rate, "resume: members dropped and resumed per second, in turn")
      ->check(CLI::Range(0.01, 1e5))
      ->capture_default_str();
}

}  // namespace rk::bench
