#pragma once
// RoomStore on one background thread: requests queue up while the backend is
// busy and the next turn runs them all as one batch, so a burst of creates
// costs one durable commit rather than one each (group commit).
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
  explicit StoreRunner(std::unique_ptr<StoreBackend> backend);
  ~StoreRunner() override;

  void submit(StoreOp op, std::string key, StoreCallback done) override;
  void drain() override;
  std::string describe() const override { return backend_->describe(); }

 private:
  struct Pending {
    StoreRequest request;
    StoreCallback done;
  };
  void run();

  std::unique_ptr<StoreBackend> backend_;
  std::mutex mutex_;  // guards queue_ and stopping_; never held while the backend runs
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace rk::store
