#pragma once
// GET /metrics: the Prometheus text format (version 0.0.4), summed over the
// event loops. Each loop is asked on its own thread (a posted task), so
// nothing on the message path is shared or atomic; the answer goes out once
// the last loop has reported.
#include <functional>
#include <string>
#include <vector>

#include "session/loop_metrics.h"
#include "store/store_stats.h"

namespace rk::session {
class LoopContext;
}

namespace rk::net {

using Loops = std::vector<session::LoopContext*>;

// Runs `done` (on the thread of the last loop to answer) with every loop's
// snapshot summed.
void collect_metrics(const Loops& loops, std::function<void(session::MetricsSnapshot)> done);

std::string prometheus_text(const session::MetricsSnapshot& loops, const store::StoreStats& store);

}  // namespace rk::net
