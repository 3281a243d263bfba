#pragma once
// What one `roomkey bench` run counted, and the JSON line that reports it.
#include <cstddef>
#include <cstdint>

#include "bench/bench_options.h"
#include "bench/latency_histogram.h"

namespace rk::bench {

struct BenchTally {
  bool setup_ok = true;
  double setup_s = 0;
  // fanout and resume
  double drain_s = 0;
  std::uint64_t sent_in_window = 0, delivered = 0, delivered_in_window = 0;
  std::uint64_t echo = 0, wrong_room = 0;
  LatencyHistogram latency;
  std::uint64_t offsets_checked = 0, offset_gaps = 0, offset_duplicates = 0;  // protocol 2
  std::uint64_t resumes = 0, recovered = 0, not_recovered = 0, resume_missing = 0, recovered_publications = 0;
  // idle
  int held = 0;
  long rss_before_kb = 0, rss_held_kb = 0;
  // churn
  int churners = 0, churn_completed = 0, joins_confirmed = 0;
  std::int64_t churn_first_us = 0, churn_last_us = 0;
  // every mode
  std::uint64_t error_messages = 0, closed_by_server = 0, connect_errors = 0;
  double server_cpu_start = 0, server_cpu_pct = 0, self_cpu_start = 0, self_cpu_pct = 0;
};

// Prints the run's one JSON line on stdout.
void write_report(const BenchOptions& options, std::size_t clients, BenchTally& tally);

}  // namespace rk::bench
