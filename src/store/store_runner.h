#pragma once
// RoomStore on background threads, one per backend instance (SQLite: one;
// MariaDB: one per pooled connection). Requests queue up while the backends
// are busy and the next free thread runs everything queued as one batch, so a
// burst of creates costs one durable commit rather than one each.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/room_store.h"

namespace rk::store {

class StoreRunner final : public RoomStore {
 public:
  explicit StoreRunner(std::vector<std::unique_ptr<StoreBackend>> backends);
  ~StoreRunner() override;

  void submit(StoreOp op, std::string key, StoreCallback done) override;
  void drain() override;
  std::string describe() const override;

 private:
  struct Pending {
    StoreRequest request;
    StoreCallback done;
  };
  void run(StoreBackend& backend);

  std::vector<std::unique_ptr<StoreBackend>> backends_;
  std::mutex mutex_;  // guards queue_ and stopping_; never held while the backend runs
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rk::store
