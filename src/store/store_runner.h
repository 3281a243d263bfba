#pragma once
// RoomStore on background threads, one per backend instance (SQLite: one;
// MariaDB: one per pooled connection). Requests queue up while the backends
// are busy and the next free thread runs everything queued as one batch, so a
// burst of creates costs one durable commit rather than one each.
//
// It also holds the room limit (--max-rooms): the rooms the store held at
// startup, plus those created, minus those destroyed since. A create beyond
// the limit is answered kLimitReached without touching the backend.
//
// With --room-ttl, its first thread also removes rooms not joined for that
// long, between batches, every quarter of the TTL (at most every 10 minutes).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/room_store.h"
#include "store/store_stats.h"

namespace rk::store {

class StoreRunner final : public RoomStore {
 public:
  // max_rooms 0: no limit. room_ttl_s 0: rooms never expire.
  StoreRunner(std::vector<std::unique_ptr<StoreBackend>> backends, std::uint64_t max_rooms,
              std::int64_t room_ttl_s = 0);
  ~StoreRunner() override;

  void submit(StoreRequest request, StoreCallback done) override;
  void drain() override;
  std::string describe() const override;
  StoreStats stats() const override { return stats_.snapshot(); }

 private:
  struct Pending {
    StoreRequest request;
    StoreCallback done;
    std::chrono::steady_clock::time_point submitted;
  };
  void run(StoreBackend& backend, bool sweeps);
  void count_rooms_once(StoreBackend& backend);
  void expire_rooms(StoreBackend& backend);
  bool reserve_room();
  void settle(const StoreRequest& request);
  void release_room();

  std::vector<std::unique_ptr<StoreBackend>> backends_;
  std::mutex mutex_;  // guards queue_ and stopping_; never held while the backend runs
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  const std::uint64_t max_rooms_;
  const std::int64_t room_ttl_s_;
  // Rooms held, counting creates in flight. Touched once per create or
  // destroy, by the store threads only.
  std::atomic<std::uint64_t> rooms_{0};
  std::atomic<bool> counted_{false};
  StoreStatsRecorder stats_;
};

}  // namespace rk::store
