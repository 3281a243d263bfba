#include <arpa/inet.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_client.h"
#include "bench/client_pool.h"
#include "bench/bench_messages.h"
#include "bench/bench_support.h"
#include "bench/bench_tokens.h"
#include "bench/offset_check.h"
#include "bench/bench_options.h"
#include "bench/bench_report.h"
#include "loop/event_loop.h"
#include "tls/tls_context.h"

namespace rk::bench {
namespace {

class BenchRun final : public BenchEvents {
 public:
  explicit BenchRun(const BenchOptions& options)
      : options_(options), clients_(loop_, *this, options, [this](int client) { return init_for(client); }) {
    const int clients = clients_.size();
    keys_.resize(static_cast<std::size_t>(options.rooms));
    joined_seen_.resize(static_cast<std::size_t>(options.rooms));
    sent_.resize(static_cast<std::size_t>(clients));
    delivered_from_.resize(static_cast<std::size_t>(clients));
    next_send_us_.resize(static_cast<std::size_t>(clients));
    offsets_.resize(static_cast<std::size_t>(clients));
    resuming_.resize(static_cast<std::size_t>(clients));
    epochs_.resize(static_cast<std::size_t>(options.rooms));
    padding_.assign(static_cast<std::size_t>(std::max(0, options.size - 80)), 'x');
  }

  int run() {
    start_ = Clock::now();
    if (!options_.server_pids.empty()) tally_.rss_before_kb = status_kb(options_.server_pids, "VmRSS:");
    for (int room = 0; room < options_.rooms; ++room) clients_.queue(room * options_.members);
    progress_timer();
    loop_.run();
    print_report();
    return tally_.setup_ok ? 0 : 1;
  }

  // ---- BenchEvents
  void on_open(int client) override {
    clients_.settled();
    if (member_of(client) != 0 && options_.mode != "churn") ++joiners_open_;
  }

  void on_key(int client, std::string key) override {
    const int room = room_of(client);
    keys_[static_cast<std::size_t>(room)] = std::move(key);
    if (options_.mode == "churn") {
      if (++rooms_ready_ == options_.rooms) begin_churn();
      return;
    }
    for (int m = 1; m < options_.members; ++m) clients_.queue(room * options_.members + m);
    if (options_.members == 1) room_ready();
  }

  void on_joined(int client, std::string_view json) override {
    const auto reply = parse_joined(json);
    if (!reply.valid) return on_error_message(client, json);
    const auto index = static_cast<std::size_t>(client);
    if (resuming_[index]) return on_resumed(client, reply);
    offsets_[index].start_after(reply.offset);
    if (!reply.created) return;
    epochs_[static_cast<std::size_t>(room_of(client))] = reply.epoch;
    on_key(client, reply.key);
  }

  void on_ack(int client, std::string_view json) override {
    std::int64_t offset = 0;
    if (number_after(json, "\"offset\":", offset)) offsets_[static_cast<std::size_t>(client)].see(offset);
  }

  void on_joined_notice(int client) override {
    if (options_.mode == "churn") {
      ++tally_.joins_confirmed;
      return;
    }
    if (member_of(client) != 0) return;
    auto& seen = joined_seen_[static_cast<std::size_t>(room_of(client))];
    if (++seen == options_.members - 1) room_ready();
  }

  void on_location(int client, std::string_view json) override {
    // One forward pass (the fields come in this order in both protocols):
    // this parse is most of the bench's own work per delivery.
    std::int64_t sender = -1, sent_at = 0;
    std::size_t at = number_from(json, "\"latitude\":", 0, sender);
    if (at == std::string_view::npos || (at = number_from(json, "\"longitude\":", at, sent_at)) == std::string_view::npos)
      return;
    const std::int64_t now = micros_since(start_);
    if (sender == client) ++tally_.echo;
    if (sender < 0 || sender >= clients_.size() ||
        room_of(static_cast<int>(sender)) != room_of(client)) {
      ++tally_.wrong_room;
      return;
    }
    if (now >= window_start_us_ && now < window_end_us_) ++tally_.delivered_in_window;
    if (sent_at >= window_start_us_ && sent_at < window_end_us_) {
      ++tally_.delivered;
      tally_.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - sent_at)));
      last_delivery_us_ = now;
    }
    ++delivered_from_[static_cast<std::size_t>(sender)];
    std::int64_t offset = 0;
    if (v2() && number_from(json, "\"offset\":", at, offset) != std::string_view::npos) offsets_[static_cast<std::size_t>(client)].see(offset);
    if (options_.rate == 0 && measuring_) refill(static_cast<int>(sender));
  }

  // During setup an error means the server refused a create or a join (a
  // limit, a store outage): the run cannot take its shape, so it stops and
  // says why rather than wait for rooms that will never be ready.
  void on_error_message(int, std::string_view json) override {
    ++tally_.error_messages;
    if (setup_done_) return;
    std::cerr << "roomkey bench: the server refused a client during setup: " << json << "\n";
    tally_.setup_ok = false;
    loop_.stop();
  }
  void on_writable(int client) override {
    if (options_.rate == 0 && measuring_) refill(client);
  }

  void on_closed(int client, bool by_server, bool failed) override {
    if (options_.mode == "churn" && member_of(client) != 0 && by_server && !failed) {
      ++tally_.churn_completed;
      tally_.churn_last_us = micros_since(start_);
      if (tally_.churn_completed == tally_.churners) return loop_.stop();
      return clients_.settled();
    }
    if (failed && !setup_done_) {
      ++tally_.connect_errors;
      clients_.settled();
    } else if (by_server) {
      ++tally_.closed_by_server;
    }
  }

 private:
  int room_of(int client) const { return client / options_.members; }
  int member_of(int client) const { return client % options_.members; }

  std::string person(int client) const { return "u" + std::to_string(client) + padding_; }

  bool v2() const { return options_.protocol == 2; }

  ClientPool::Init init_for(int client) const {
    const auto index = static_cast<std::size_t>(client);
    const auto room = static_cast<std::size_t>(room_of(client));
    std::optional<Resume> since;
    if (resuming_[index]) since = Resume{epochs_[room], offsets_[index].last_seen()};
    const bool churner = options_.mode == "churn" && member_of(client) != 0;
    return {init_message(options_.protocol, person(client), member_of(client) ? keys_[room] : "", since,
                         tokens_.for_person(person(client))),
            churner};
  }

  void room_ready() {
    if (++rooms_ready_ < options_.rooms) return;
    setup_done_ = true;
    tally_.setup_s = static_cast<double>(micros_since(start_)) / 1e6;
    std::cerr << "setup done in " << tally_.setup_s << " s (" << clients_.size() << " connections)\n";
    if (options_.mode == "idle") return begin_idle();  // fanout and resume from here
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
      for (int i = 0; i < clients_.size(); ++i)
        next_send_us_[static_cast<std::size_t>(i)] =
            now + static_cast<std::int64_t>(period_us * i / static_cast<double>(clients_.size()));
      rate_tick();
      if (options_.mode == "resume")
        loop_.add_timer(std::chrono::microseconds(window_start_us_ - now), [this] { resume_tick(); });
    } else {
      for (int i = 0; i < clients_.size(); ++i) refill(i);
    }
  }

  void mark_window_start() {
    if (!options_.server_pids.empty()) tally_.server_cpu_start = cpu_seconds_of(options_.server_pids);
    tally_.self_cpu_start = cpu_seconds_of_self();
  }

  void end_window() {
    measuring_ = false;
    if (!options_.server_pids.empty()) {
      tally_.server_cpu_pct = 100 * (cpu_seconds_of(options_.server_pids) - tally_.server_cpu_start) / options_.duration_s;
      tally_.rss_held_kb = status_kb(options_.server_pids, "VmRSS:");
    }
    tally_.self_cpu_pct = 100 * (cpu_seconds_of_self() - tally_.self_cpu_start) / options_.duration_s;
    drain_start_us_ = micros_since(start_);
    last_delivery_us_ = drain_start_us_;
    drain_check();
  }

  void drain_check() {
    const std::int64_t now = micros_since(start_);
    const auto expected = tally_.sent_in_window * static_cast<std::uint64_t>(options_.members - 1);
    if (tally_.delivered >= expected || now - last_delivery_us_ > 2'000'000 ||
        now - drain_start_us_ > static_cast<std::int64_t>(options_.drain_s * 1e6)) {
      tally_.drain_s = static_cast<double>(now - drain_start_us_) / 1e6;
      return loop_.stop();
    }
    loop_.add_timer(std::chrono::milliseconds(5), [this] { drain_check(); });
  }

  void send_locations(int client, int count) {
    auto& connection = clients_[client];
    if (!connection.open() || count <= 0) return;
    std::string batch;
    const std::string name = person(client);
    for (int i = 0; i < count; ++i) {
      const std::int64_t now = micros_since(start_);
      batch = location_message(options_.protocol, name, client, now, sent_[static_cast<std::size_t>(client)]);
      connection.send_text(batch, false, i + 1 < count);  // one write per batch
      ++sent_[static_cast<std::size_t>(client)];
      ++sent_total_;
      if (now >= window_start_us_ && now < window_end_us_) ++tally_.sent_in_window;
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
    if (clients_[client].unsent_bytes() > 0) return;
    send_locations(client, options_.inflight - outstanding);
  }

  void rate_tick() {
    if (!measuring_) return;
    const std::int64_t now = micros_since(start_);
    const double period_us = 1e6 / options_.rate;
    for (std::size_t i = 0; i < next_send_us_.size(); ++i) {
      if (next_send_us_[i] > now) continue;
      send_locations(static_cast<int>(i), 1);
      next_send_us_[i] += static_cast<std::int64_t>(period_us);
      if (next_send_us_[i] < now) next_send_us_[i] = now + static_cast<std::int64_t>(period_us);
    }
    loop_.add_timer(std::chrono::microseconds(500), [this] { rate_tick(); });
  }

  // ---- resume: members drop and come back with `since`
  void resume_tick() {
    if (!measuring_) return;
    for (int tries = 0; tries < clients_.size(); ++tries) {
      next_resumer_ = (next_resumer_ + 1) % clients_.size();
      const auto index = static_cast<std::size_t>(next_resumer_);
      if (member_of(next_resumer_) == 0 || resuming_[index] || !clients_[next_resumer_].open()) continue;
      resuming_[index] = true;
      ++tally_.resumes;
      clients_[next_resumer_].drop();
      clients_.connect_now(next_resumer_);
      break;
    }
    loop_.add_timer(std::chrono::microseconds(static_cast<std::int64_t>(1e6 / options_.resume_rate)),
                    [this] { resume_tick(); });
  }

  void on_resumed(int client, const JoinedReply& reply) {
    resuming_[static_cast<std::size_t>(client)] = false;
    ++(reply.recovered ? tally_.recovered : tally_.not_recovered);
    if (reply.recovered) tally_.recovered_publications += reply.missed.size();
    tally_.resume_missing += offsets_[static_cast<std::size_t>(client)].resume(reply.recovered, reply.offset, reply.missed);
  }

  // ---- idle
  void begin_idle() {
    loop_.add_timer(std::chrono::microseconds(static_cast<std::int64_t>(options_.duration_s * 5e5)), [this] {
      if (!options_.server_pids.empty()) tally_.rss_held_kb = status_kb(options_.server_pids, "VmRSS:");
    });
    loop_.add_timer(std::chrono::microseconds(static_cast<std::int64_t>(options_.duration_s * 1e6)), [this] {
      for (int i = 0; i < clients_.size(); ++i) tally_.held += clients_[i].open() ? 1 : 0;
      loop_.stop();
    });
  }

  // ---- churn
  void begin_churn() {
    setup_done_ = true;
    tally_.setup_s = static_cast<double>(micros_since(start_)) / 1e6;
    tally_.churn_first_us = micros_since(start_);
    if (!options_.server_pids.empty()) tally_.server_cpu_start = cpu_seconds_of(options_.server_pids);
    tally_.self_cpu_start = cpu_seconds_of_self();
    for (int room = 0; room < options_.rooms; ++room) {
      for (int m = 1; m < options_.members; ++m) {
        ++tally_.churners;
        clients_.queue(room * options_.members + m);
      }
    }
    if (tally_.churners == 0) return loop_.stop();
  }

  // ---- output
  void progress_timer() {
    loop_.add_timer(std::chrono::seconds(1), [this] {
      std::cerr << "t=" << micros_since(start_) / 1000000 << "s open=" << joiners_open_ << " sent=" << sent_total_
                << " delivered=" << tally_.delivered << " churned=" << tally_.churn_completed << "\n";
      progress_timer();
    });
  }

  void print_report() {
    for (const auto& check : offsets_) {
      tally_.offsets_checked += check.checked();
      tally_.offset_gaps += check.gaps();
      tally_.offset_duplicates += check.duplicates();
    }
    tally_.connect_errors += clients_.failed_to_start();
    write_report(options_, static_cast<std::size_t>(clients_.size()), tally_);
  }

  const BenchOptions& options_;
  loop::EventLoop loop_;
  BenchTokens tokens_{options_.token, options_.auth_key_file};
  ClientPool clients_;
  std::vector<std::string> keys_;
  std::vector<int> joined_seen_;
  std::string padding_;
  Clock::time_point start_;
  int rooms_ready_ = 0;
  int joiners_open_ = 0;
  bool setup_done_ = false;

  bool measuring_ = false;
  std::int64_t window_start_us_ = INT64_MAX, window_end_us_ = INT64_MAX;
  std::int64_t drain_start_us_ = 0, last_delivery_us_ = 0;
  std::vector<std::uint64_t> sent_, delivered_from_;
  std::vector<std::int64_t> next_send_us_;
  std::uint64_t sent_total_ = 0;
  BenchTally tally_;

  std::vector<OffsetCheck> offsets_;
  std::vector<bool> resuming_;
  std::vector<std::string> epochs_;
  int next_resumer_ = 0;
};

}  // namespace

int run_bench(const BenchOptions& options) {
  try {
    if (options.mode == "resume" && (options.protocol != 2 || options.rate <= 0))
      throw std::runtime_error("--mode resume needs --protocol 2 and a --rate above 0");
    BenchRun run(options);
    return run.run();
  } catch (const std::exception& e) {
    std::cerr << "roomkey bench: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace rk::bench
