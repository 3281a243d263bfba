#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_client.h"
#include "bench/bench_options.h"
#include "bench/latency_histogram.h"
#include "loop/event_loop.h"

namespace rk::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t micros_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

double cpu_seconds_of_self() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double cpu_seconds_of(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 0; i < 13 && fields >> field; ++i) {
    if (i == 11) utime = std::stod(field);
    if (i == 12) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long status_kb(int pid, std::string_view name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(name)) return std::stol(line.substr(name.size() + 1));
  }
  return 0;
}

std::vector<sockaddr_in> parse_source_ips(const std::string& spec) {
  std::vector<sockaddr_in> out;
  if (spec.empty()) return out;
  const auto dash = spec.find('-');
  in_addr first{}, last{};
  if (::inet_pton(AF_INET, spec.substr(0, dash).c_str(), &first) != 1 ||
      ::inet_pton(AF_INET, (dash == std::string::npos ? spec : spec.substr(dash + 1)).c_str(), &last) != 1)
    throw std::runtime_error("--source-ips: expected A.B.C.D or A.B.C.D-A.B.C.E");
  for (std::uint32_t ip = ntohl(first.s_addr); ip <= ntohl(last.s_addr); ++ip) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(ip);
    out.push_back(address);
  }
  return out;
}

// Finds the number after `"name":` scanning from the end of a relayed frame.
bool number_after(std::string_view json, std::string_view name, std::int64_t& value) {
  const auto at = json.rfind(name);
  if (at == std::string_view::npos) return false;
  const char* begin = json.data() + at + name.size();
  return std::from_chars(begin, json.data() + json.size(), value).ec == std::errc();
}

class BenchRun final : public BenchEvents {
 public:
  explicit BenchRun(const BenchOptions& options) : options_(options), receive_buffer_(1 << 20) {
    server_.sin_family = AF_INET;
    server_.sin_port = htons(options.port);
    if (::inet_pton(AF_INET, options.host.c_str(), &server_.sin_addr) != 1)
      throw std::runtime_error("--host must be an IPv4 address");
    sources_ = parse_source_ips(options.source_ips);
    const int clients = options.rooms * options.members;
    for (int i = 0; i < clients; ++i)
      clients_.push_back(std::make_unique<BenchClient>(loop_, *this, receive_buffer_, i));
    keys_.resize(static_cast<std::size_t>(options.rooms));
    joined_seen_.resize(static_cast<std::size_t>(options.rooms));
    sent_.resize(static_cast<std::size_t>(clients));
    delivered_from_.resize(static_cast<std::size_t>(clients));
    next_send_us_.resize(static_cast<std::size_t>(clients));
    padding_.assign(static_cast<std::size_t>(std::max(0, options.size - 80)), 'x');
  }

  int run() {
    start_ = Clock::now();
    if (options_.server_pid) rss_before_kb_ = status_kb(options_.server_pid, "VmRSS:");
    for (int room = 0; room < options_.rooms; ++room) queue_connect(room * options_.members);
    progress_timer();
    loop_.run();
    print_report();
    return setup_ok_ ? 0 : 1;
  }

  // ---- BenchEvents
  void on_open(int client) override {
    --pending_;
    pump_connects();
    if (member_of(client) != 0 && options_.mode != "churn") ++joiners_open_;
  }

  void on_key(int client, std::string key) override {
    const int room = room_of(client);
    keys_[static_cast<std::size_t>(room)] = std::move(key);
    if (options_.mode == "churn") {
      if (++rooms_ready_ == options_.rooms) begin_churn();
      return;
    }
    for (int m = 1; m < options_.members; ++m) queue_connect(room * options_.members + m);
    if (options_.members == 1) room_ready();
  }

  void on_joined_notice(int client) override {
    if (options_.mode == "churn") {
      ++joins_confirmed_;
      return;
    }
    if (member_of(client) != 0) return;
    auto& seen = joined_seen_[static_cast<std::size_t>(room_of(client))];
    if (++seen == options_.members - 1) room_ready();
  }

  void on_location(int client, std::string_view json) override {
    std::int64_t sender = -1, sent_at = 0;
    if (!number_after(json, "\"latitude\":", sender) || !number_after(json, "\"longitude\":", sent_at)) return;
    const std::int64_t now = micros_since(start_);
    if (sender == client) ++echo_;
    if (sender < 0 || sender >= static_cast<std::int64_t>(clients_.size()) ||
        room_of(static_cast<int>(sender)) != room_of(client)) {
      ++wrong_room_;
      return;
    }
    if (now >= window_start_us_ && now < window_end_us_) ++delivered_in_window_;
    if (sent_at >= window_start_us_ && sent_at < window_end_us_) {
      ++delivered_;
      latency_.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - sent_at)));
      last_delivery_us_ = now;
    }
    ++delivered_from_[static_cast<std::size_t>(sender)];
    if (options_.rate == 0 && measuring_) refill(static_cast<int>(sender));
  }

  void on_error_message(int, std::string_view) override { ++error_messages_; }
  void on_writable(int client) override {
    if (options_.rate == 0 && measuring_) refill(client);
  }

  void on_closed(int client, bool by_server, bool failed) override {
    if (options_.mode == "churn" && member_of(client) != 0 && by_server && !failed) {
      ++churn_completed_;
      churn_last_us_ = micros_since(start_);
      --pending_;
      if (churn_completed_ == churners_) return loop_.stop();
      return pump_connects();
    }
    if (failed && !setup_done_) {
      ++connect_errors_;
      --pending_;
      pump_connects();
    } else if (by_server) {
      ++closed_by_server_;
    }
  }

 private:
  int room_of(int client) const { return client / options_.members; }
  int member_of(int client) const { return client % options_.members; }

  std::string person(int client) const { return "u" + std::to_string(client) + padding_; }

  std::string init_for(int client) const {
    std::string json = R"({"type":"init","person":")" + person(client) + "\"";
    if (member_of(client) != 0) json += R"(,"join":")" + keys_[static_cast<std::size_t>(room_of(client))] + "\"";
    return json + "}";
  }

  void queue_connect(int client) {
    connect_queue_.push_back(client);
    pump_connects();
  }

  void pump_connects() {
    while (pending_ < options_.max_pending && !connect_queue_.empty()) {
      const int client = connect_queue_.front();
      connect_queue_.pop_front();
      const sockaddr_in* source =
          sources_.empty() ? nullptr : &sources_[static_cast<std::size_t>(client) % sources_.size()];
      ++pending_;
      const bool churner = options_.mode == "churn" && member_of(client) != 0;
      if (!clients_[static_cast<std::size_t>(client)]->connect(server_, source, init_for(client), churner)) {
        ++connect_errors_;
        --pending_;
      }
    }
  }

  void room_ready() {
    if (++rooms_ready_ < options_.rooms) return;
    setup_done_ = true;
    setup_s_ = static_cast<double>(micros_since(start_)) / 1e6;
    std::cerr << "setup done in " << setup_s_ << " s (" << clients_.size() << " connections)\n";
    if (options_.mode == "idle") return begin_idle();
    begin_fanout();
  }

  // ---- fanout
  void begin_fanout() {
    const std::int64_t now = micros_since(start_);
    window_start_us_ = now + static_cast<std::int64_t>(options_.warmup_s * 1e6);
    window_end_us_ = window_start_us_ + static_cast<std::int64_t>(options_.duration_s * 1e6);
    measuring_ = true;
    loop_.add_timer(std::chrono::microseconds(window_start_us_ - now), [this] { mark_window_start(); });
    loop_.add_timer(std::chrono::microseconds(window_end_us_ - now), [this] { end_window(); });
    if (options_.rate > 0) {
      const double period_us = 1e6 / options_.rate;
      for (std::size_t i = 0; i < clients_.size(); ++i)
        next_send_us_[i] = now + static_cast<std::int64_t>(period_us * static_cast<double>(i) /
                                                           static_cast<double>(clients_.size()));
      rate_tick();
    } else {
      for (std::size_t i = 0; i < clients_.size(); ++i) refill(static_cast<int>(i));
    }
  }

  void mark_window_start() {
    if (options_.server_pid) server_cpu_start_ = cpu_seconds_of(options_.server_pid);
    self_cpu_start_ = cpu_seconds_of_self();
  }

  void end_window() {
    measuring_ = false;
    if (options_.server_pid) {
      server_cpu_pct_ = 100 * (cpu_seconds_of(options_.server_pid) - server_cpu_start_) / options_.duration_s;
      rss_held_kb_ = status_kb(options_.server_pid, "VmRSS:");
    }
    self_cpu_pct_ = 100 * (cpu_seconds_of_self() - self_cpu_start_) / options_.duration_s;
    drain_start_us_ = micros_since(start_);
    last_delivery_us_ = drain_start_us_;
    drain_check();
  }

  void drain_check() {
    const std::int64_t now = micros_since(start_);
    const auto expected = sent_in_window_ * static_cast<std::uint64_t>(options_.members - 1);
    if (delivered_ >= expected || now - last_delivery_us_ > 2'000'000 ||
        now - drain_start_us_ > static_cast<std::int64_t>(options_.drain_s * 1e6)) {
      drain_s_ = static_cast<double>(now - drain_start_us_) / 1e6;
      return loop_.stop();
    }
    loop_.add_timer(std::chrono::milliseconds(5), [this] { drain_check(); });
  }

  void send_locations(int client, int count) {
    auto& connection = *clients_[static_cast<std::size_t>(client)];
    if (!connection.open() || count <= 0) return;
    std::string batch;
    const std::string name = person(client);
    for (int i = 0; i < count; ++i) {
      const std::int64_t now = micros_since(start_);
      batch = R"({"type":"Location Data","person":")" + name + R"(","latitude":)" + std::to_string(client) +
              R"(,"longitude":)" + std::to_string(now) + "}";
      connection.send_text(batch, false, i + 1 < count);  // one write per batch
      ++sent_[static_cast<std::size_t>(client)];
      ++sent_total_;
      if (now >= window_start_us_ && now < window_end_us_) ++sent_in_window_;
    }
  }

  // Closed loop: keep about `inflight` messages of this sender undelivered,
  // topping up once half of them have arrived everywhere.
  void refill(int client) {
    const auto index = static_cast<std::size_t>(client);
    const std::uint64_t fanout = static_cast<std::uint64_t>(std::max(1, options_.members - 1));
    const std::uint64_t outstanding_deliveries = sent_[index] * fanout - delivered_from_[index];
    const auto outstanding = static_cast<int>((outstanding_deliveries + fanout - 1) / fanout);
    if (outstanding > options_.inflight / 2) return;
    if (clients_[index]->unsent_bytes() > 0) return;
    send_locations(client, options_.inflight - outstanding);
  }

  void rate_tick() {
    if (!measuring_) return;
    const std::int64_t now = micros_since(start_);
    const double period_us = 1e6 / options_.rate;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      if (next_send_us_[i] > now) continue;
      send_locations(static_cast<int>(i), 1);
      next_send_us_[i] += static_cast<std::int64_t>(period_us);
      if (next_send_us_[i] < now) next_send_us_[i] = now + static_cast<std::int64_t>(period_us);
    }
    loop_.add_timer(std::chrono::microseconds(500), [this] { rate_tick(); });
  }

  // ---- idle
  void begin_idle() {
    loop_.add_timer(std::chrono::microseconds(static_cast<std::int64_t>(options_.duration_s * 5e5)), [this] {
      if (options_.server_pid) rss_held_kb_ = status_kb(options_.server_pid, "VmRSS:");
    });
    loop_.add_timer(std::chrono::microseconds(static_cast<std::int64_t>(options_.duration_s * 1e6)), [this] {
      for (auto& client : clients_) held_ += client->open() ? 1 : 0;
      loop_.stop();
    });
  }

  // ---- churn
  void begin_churn() {
    setup_done_ = true;
    setup_s_ = static_cast<double>(micros_since(start_)) / 1e6;
    churn_first_us_ = micros_since(start_);
    if (options_.server_pid) server_cpu_start_ = cpu_seconds_of(options_.server_pid);
    self_cpu_start_ = cpu_seconds_of_self();
    for (int room = 0; room < options_.rooms; ++room) {
      for (int m = 1; m < options_.members; ++m) {
        connect_queue_.push_back(room * options_.members + m);
        ++churners_;
      }
    }
    if (churners_ == 0) return loop_.stop();
    pump_connects();
  }

  // ---- output
  void progress_timer() {
    loop_.add_timer(std::chrono::seconds(1), [this] {
      std::cerr << "t=" << micros_since(start_) / 1000000 << "s open=" << joiners_open_ << " sent=" << sent_total_
                << " delivered=" << delivered_ << " churned=" << churn_completed_ << "\n";
      progress_timer();
    });
  }

  void print_report() {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(1);
    out << "{\"tool\":\"roomkey-bench\",\"mode\":\"" << options_.mode << "\",\"rooms\":" << options_.rooms
        << ",\"members\":" << options_.members << ",\"clients\":" << clients_.size();
    if (options_.mode == "fanout") {
      const auto expected = sent_in_window_ * static_cast<std::uint64_t>(options_.members - 1);
      out << ",\"rate\":" << options_.rate << ",\"inflight\":" << options_.inflight << ",\"duration\":"
          << options_.duration_s << ",\"sent\":" << sent_in_window_ << ",\"delivered\":" << delivered_
          << ",\"delivered_per_s\":" << static_cast<double>(delivered_in_window_) / options_.duration_s
          << ",\"expected\":" << expected << ",\"missing\":" << (expected > delivered_ ? expected - delivered_ : 0)
          << ",\"drain_s\":" << drain_s_ << ",\"lat_p50_us\":" << latency_.quantile(0.5)
          << ",\"lat_p90_us\":" << latency_.quantile(0.9) << ",\"lat_p99_us\":" << latency_.quantile(0.99)
          << ",\"lat_max_us\":" << latency_.max() << ",\"lat_mean_us\":" << latency_.mean()
          << ",\"echo\":" << echo_ << ",\"wrong_room\":" << wrong_room_;
    } else if (options_.mode == "idle") {
      out << ",\"connections_held\":" << held_;
      if (options_.server_pid && held_ > 0)
        out << ",\"server_rss_kb_before\":" << rss_before_kb_ << ",\"server_rss_kb_held\":" << rss_held_kb_
            << ",\"server_bytes_per_conn\":" << static_cast<double>(rss_held_kb_ - rss_before_kb_) * 1024.0 /
                                                    static_cast<double>(held_);
    } else {
      const double seconds = static_cast<double>(churn_last_us_ - churn_first_us_) / 1e6;
      const double cpu_window = seconds > 0 ? seconds : 1;
      if (options_.server_pid)
        server_cpu_pct_ = 100 * (cpu_seconds_of(options_.server_pid) - server_cpu_start_) / cpu_window;
      self_cpu_pct_ = 100 * (cpu_seconds_of_self() - self_cpu_start_) / cpu_window;
      out << ",\"churners\":" << churners_ << ",\"completed\":" << churn_completed_
          << ",\"churn_per_s\":" << (seconds > 0 ? static_cast<double>(churn_completed_) / seconds : 0)
          << ",\"joins_confirmed\":" << joins_confirmed_;
    }
    out << ",\"error_msgs\":" << error_messages_ << ",\"closed_by_server\":" << closed_by_server_
        << ",\"connect_errors\":" << connect_errors_ << ",\"setup_s\":" << setup_s_
        << ",\"setup_ok\":" << (setup_ok_ ? "true" : "false") << ",\"bench_cpu_pct\":" << self_cpu_pct_;
    if (options_.server_pid) {
      out << ",\"server_cpu_pct\":" << server_cpu_pct_
          << ",\"server_rss_kb\":" << status_kb(options_.server_pid, "VmRSS:")
          << ",\"server_hwm_kb\":" << status_kb(options_.server_pid, "VmHWM:");
    }
    out << "}";
    std::cout << out.str() << std::endl;
  }

  const BenchOptions& options_;
  loop::EventLoop loop_;
  std::vector<char> receive_buffer_;
  sockaddr_in server_{};
  std::vector<sockaddr_in> sources_;
  std::vector<std::unique_ptr<BenchClient>> clients_;
  std::vector<std::string> keys_;
  std::vector<int> joined_seen_;
  std::deque<int> connect_queue_;
  std::string padding_;
  Clock::time_point start_;
  int pending_ = 0;
  int rooms_ready_ = 0;
  int joiners_open_ = 0;
  bool setup_done_ = false;
  bool setup_ok_ = true;
  double setup_s_ = 0;

  bool measuring_ = false;
  std::int64_t window_start_us_ = INT64_MAX, window_end_us_ = INT64_MAX;
  std::int64_t drain_start_us_ = 0, last_delivery_us_ = 0;
  double drain_s_ = 0;
  std::vector<std::uint64_t> sent_, delivered_from_;
  std::vector<std::int64_t> next_send_us_;
  std::uint64_t sent_total_ = 0, sent_in_window_ = 0, delivered_ = 0, delivered_in_window_ = 0;
  std::uint64_t echo_ = 0, wrong_room_ = 0, error_messages_ = 0, closed_by_server_ = 0, connect_errors_ = 0;
  LatencyHistogram latency_;

  int held_ = 0;
  long rss_before_kb_ = 0, rss_held_kb_ = 0;
  double server_cpu_start_ = 0, server_cpu_pct_ = 0, self_cpu_start_ = 0, self_cpu_pct_ = 0;

  int churners_ = 0, churn_completed_ = 0, joins_confirmed_ = 0;
  std::int64_t churn_first_us_ = 0, churn_last_us_ = 0;
};

}  // namespace

void add_bench_flags(CLI::App& command, BenchOptions& o) {
  command.add_option("--host", o.host, "Server IPv4 address")->capture_default_str();
  command.add_option("--port", o.port, "Server port")->capture_default_str();
  command.add_option("--mode", o.mode, "fanout: relay throughput and latency; idle: memory per held connection; "
                                       "churn: connect + join + close per second")
      ->check(CLI::IsMember({"fanout", "idle", "churn"}))
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
  command.add_option("--server-pid", o.server_pid, "Report this process's CPU and memory too");
}

int run_bench(const BenchOptions& options) {
  try {
    BenchRun run(options);
    return run.run();
  } catch (const std::exception& e) {
    std::cerr << "roomkey bench: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace rk::bench
