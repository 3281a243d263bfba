#include "store/store_runner.h"

#include <spdlog/spdlog.h>

namespace rk::store {

StoreRunner::StoreRunner(std::vector<std::unique_ptr<StoreBackend>> backends, std::uint64_t max_rooms)
    : backends_(std::move(backends)), max_rooms_(max_rooms) {
  // Before the threads start, so the first creates already see the count.
  if (max_rooms_ > 0) count_rooms_once(*backends_.front());
  if (max_rooms_ > 0 && !counted_)
    spdlog::warn("store unavailable at startup: rooms are counted against --max-rooms from 0 until it answers");
  for (auto& backend : backends_) threads_.emplace_back([this, &backend] { run(*backend); });
}

void StoreRunner::count_rooms_once(StoreBackend& backend) {
  const auto count = backend.count_rooms();
  if (!count || counted_.exchange(true)) return;
  // Creates that landed while uncounted are in the count already; ones still
  // in flight on other threads may be counted twice until they settle.
  rooms_.store(*count);
  if (*count >= max_rooms_)
    spdlog::warn("the store holds {} rooms, --max-rooms is {}: new rooms are refused until some are destroyed",
                 *count, max_rooms_);
}

bool StoreRunner::reserve_room() {
  if (max_rooms_ == 0) return true;
  if (rooms_.fetch_add(1) < max_rooms_) return true;
  rooms_.fetch_sub(1);
  return false;
}

void StoreRunner::settle(const StoreRequest& request) {
  if (max_rooms_ == 0) return;
  const bool freed = (request.op == StoreOp::kCreate && request.status != StoreStatus::kOk) ||
                     (request.op == StoreOp::kDestroy && request.status == StoreStatus::kOk);
  if (!freed) return;
  // Never below zero, even if the startup count missed a room that is
  // destroyed later.
  auto rooms = rooms_.load();
  while (rooms > 0 && !rooms_.compare_exchange_weak(rooms, rooms - 1)) {
  }
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
  std::vector<std::size_t> admitted;  // index in batch of each entry of requests
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
    if (max_rooms_ > 0 && !counted_) count_rooms_once(backend);
    requests.clear();
    admitted.clear();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      StoreRequest& request = batch[i].request;
      if (request.op == StoreOp::kCreate && !reserve_room()) {
        request.status = StoreStatus::kLimitReached;
        continue;
      }
      admitted.push_back(i);
      requests.push_back(std::move(request));
    }
    if (!requests.empty()) backend.run_batch(requests);
    for (std::size_t k = 0; k < requests.size(); ++k) {
      settle(requests[k]);
      batch[admitted[k]].request.status = requests[k].status;
    }
    for (auto& pending : batch) pending.done(pending.request.status);
    batch.clear();
  }
}

}  // namespace rk::store
