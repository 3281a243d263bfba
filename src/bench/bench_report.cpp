#include "bench/bench_report.h"

#include <iostream>
#include <sstream>

#include "bench/bench_support.h"

namespace rk::bench {

void write_report(const BenchOptions& options, std::size_t clients, BenchTally& t) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(1);
  out << "{\"tool\":\"roomkey-bench\",\"mode\":\"" << options.mode << "\",\"rooms\":" << options.rooms
      << ",\"members\":" << options.members << ",\"clients\":" << clients;
  if (options.mode == "fanout" || options.mode == "resume") {
    const auto expected = t.sent_in_window * static_cast<std::uint64_t>(options.members - 1);
    out << ",\"rate\":" << options.rate << ",\"inflight\":" << options.inflight << ",\"duration\":"
        << options.duration_s << ",\"sent\":" << t.sent_in_window << ",\"delivered\":" << t.delivered
        << ",\"delivered_per_s\":" << static_cast<double>(t.delivered_in_window) / options.duration_s
        << ",\"expected\":" << expected << ",\"missing\":" << (expected > t.delivered ? expected - t.delivered : 0)
        << ",\"drain_s\":" << t.drain_s << ",\"lat_p50_us\":" << t.latency.quantile(0.5)
        << ",\"lat_p90_us\":" << t.latency.quantile(0.9) << ",\"lat_p99_us\":" << t.latency.quantile(0.99)
        << ",\"lat_max_us\":" << t.latency.max() << ",\"lat_mean_us\":" << t.latency.mean()
        << ",\"echo\":" << t.echo << ",\"wrong_room\":" << t.wrong_room;
    if (options.protocol == 2)
      out << ",\"protocol\":2,\"offsets_checked\":" << t.offsets_checked << ",\"offset_gaps\":" << t.offset_gaps
          << ",\"offset_duplicates\":" << t.offset_duplicates;
    if (options.mode == "resume")
      out << ",\"resumes\":" << t.resumes << ",\"recovered\":" << t.recovered << ",\"not_recovered\":"
          << t.not_recovered << ",\"recovered_publications\":" << t.recovered_publications
          << ",\"resume_missing\":" << t.resume_missing;
  } else if (options.mode == "idle") {
    out << ",\"connections_held\":" << t.held;
    if (!options.server_pids.empty() && t.held > 0)
      out << ",\"server_rss_kb_before\":" << t.rss_before_kb << ",\"server_rss_kb_held\":" << t.rss_held_kb
          << ",\"server_bytes_per_conn\":" << static_cast<double>(t.rss_held_kb - t.rss_before_kb) * 1024.0 /
                                                  static_cast<double>(t.held);
  } else {
    const double seconds = static_cast<double>(t.churn_last_us - t.churn_first_us) / 1e6;
    const double cpu_window = seconds > 0 ? seconds : 1;
    if (!options.server_pids.empty())
      t.server_cpu_pct = 100 * (cpu_seconds_of(options.server_pids) - t.server_cpu_start) / cpu_window;
    t.self_cpu_pct = 100 * (cpu_seconds_of_self() - t.self_cpu_start) / cpu_window;
    out << ",\"churners\":" << t.churners << ",\"completed\":" << t.churn_completed
        << ",\"churn_per_s\":" << (seconds > 0 ? static_cast<double>(t.churn_completed) / seconds : 0)
        << ",\"joins_confirmed\":" << t.joins_confirmed;
  }
  out << ",\"error_msgs\":" << t.error_messages << ",\"closed_by_server\":" << t.closed_by_server
      << ",\"connect_errors\":" << t.connect_errors << ",\"setup_s\":" << t.setup_s
      << ",\"setup_ok\":" << (t.setup_ok ? "true" : "false") << ",\"bench_cpu_pct\":" << t.self_cpu_pct;
  if (!options.server_pids.empty()) {
    out << ",\"server_cpu_pct\":" << t.server_cpu_pct
        << ",\"server_rss_kb\":" << status_kb(options.server_pids, "VmRSS:")
        << ",\"server_hwm_kb\":" << status_kb(options.server_pids, "VmHWM:");
  }
  out << "}";
  std::cout << out.str() << std::endl;
}

}  // namespace rk::bench
