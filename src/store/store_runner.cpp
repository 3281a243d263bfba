#include "store/store_runner.h"

namespace rk::store {

StoreRunner::StoreRunner(std::unique_ptr<StoreBackend> backend)
    : backend_(std::move(backend)), thread_([this] { run(); }) {}

StoreRunner::~StoreRunner() { drain(); }

void StoreRunner::submit(StoreOp op, std::string key, StoreCallback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({StoreRequest{op, std::move(key), StoreStatus::kUnavailable}, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(StoreStatus::kUnavailable);  // after drain(): nothing runs any more
}

void StoreRunner::drain() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void StoreRunner::run() {
  std::vector<Pending> batch;
  std::vector<StoreRequest> requests;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is done
      while (!queue_.empty()) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    requests.clear();
    for (auto& pending : batch) requests.push_back(std::move(pending.request));
    backend_->run_batch(requests);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(requests[i].status);
    batch.clear();
  }
}

}  // namespace rk::store
