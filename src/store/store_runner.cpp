#include "store/store_runner.h"

namespace rk::store {

StoreRunner::StoreRunner(std::vector<std::unique_ptr<StoreBackend>> backends) : backends_(std::move(backends)) {
  for (auto& backend : backends_) threads_.emplace_back([this, &backend] { run(*backend); });
}

std::string StoreRunner::describe() const {
  std::string text = backends_.front()->describe();
  if (backends_.size() > 1) text += " (" + std::to_string(backends_.size()) + " connections)";
  return text;
}

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
    wake_.notify_all();
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void StoreRunner::run(StoreBackend& backend) {
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
    backend.run_batch(requests);
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(requests[i].status);
    batch.clear();
  }
}

}  // namespace rk::store
