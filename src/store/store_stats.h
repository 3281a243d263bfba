#pragma once
// How the store's requests went, for /metrics: each operation's latency (from
// submit to answer, queueing included) as a histogram, and its failures. The
// store threads write it (atomics: a request is rare next to a message, and
// each is counted once); a scrape reads it from any thread.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "store/room_store.h"

namespace rk::store {

inline constexpr std::array<double, 12> kLatencyBucketsS{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                           0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
inline constexpr std::array<StoreOp, 4> kStoreOps{StoreOp::kCreate, StoreOp::kExists, StoreOp::kDestroy,
                                                  StoreOp::kTouch};

struct OpStats {
  std::array<std::uint64_t, kLatencyBucketsS.size()> in_bucket{};  // not cumulative: each request in one
  std::uint64_t count = 0;
  double sum_s = 0;
  std::uint64_t failed = 0;  // kUnavailable: the store could not answer
};

struct StoreStats {
  std::array<OpStats, kStoreOps.size()> by_op;  // in kStoreOps order
};

class StoreStatsRecorder {
 public:
  void record(StoreOp op, std::chrono::steady_clock::duration took, bool failed) {
    Slot& slot = slots_[static_cast<std::size_t>(op)];
    const double seconds = std::chrono::duration<double>(took).count();
    std::size_t bucket = 0;
    while (bucket < kLatencyBucketsS.size() && seconds > kLatencyBucketsS[bucket]) ++bucket;
    if (bucket < kLatencyBucketsS.size()) slot.in_bucket[bucket].fetch_add(1, std::memory_order_relaxed);
    slot.count.fetch_add(1, std::memory_order_relaxed);
    slot.sum_us.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
    if (failed) slot.failed.fetch_add(1, std::memory_order_relaxed);
  }

  StoreStats snapshot() const {
    StoreStats stats;
    for (std::size_t i = 0; i < kStoreOps.size(); ++i) {
      const Slot& slot = slots_[static_cast<std::size_t>(kStoreOps[i])];
      OpStats& out = stats.by_op[i];
      for (std::size_t b = 0; b < kLatencyBucketsS.size(); ++b)
        out.in_bucket[b] = slot.in_bucket[b].load(std::memory_order_relaxed);
      out.count = slot.count.load(std::memory_order_relaxed);
      out.sum_s = static_cast<double>(slot.sum_us.load(std::memory_order_relaxed)) / 1e6;
      out.failed = slot.failed.load(std::memory_order_relaxed);
    }
    return stats;
  }

 private:
  struct Slot {
    std::array<std::atomic<std::uint64_t>, kLatencyBucketsS.size()> in_bucket{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
    std::atomic<std::uint64_t> failed{0};
  };
  std::array<Slot, kStoreOps.size()> slots_;  // indexed by StoreOp's value
};

}  // namespace rk::store
