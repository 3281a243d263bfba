#include "store/store_runner.h"

#include <algorithm>
#include <chrono>
#include <spdlog/spdlog.h>

namespace rk::store {

namespace {
// Often enough that a room is gone within a quarter of its TTL past it;
// never more than every 10 minutes, or less than every second.
std::chrono::steady_clock::duration sweep_interval(std::int64_t ttl_s) {
  return std::chrono::seconds(std::clamp<std::int64_t>(ttl_s / 4, 1, 600));
}
}  // namespace

StoreRunner::StoreRunner(std::vector<std::unique_ptr<StoreBackend>> backends, std::uint64_t max_rooms,
                         std::int64_t room_ttl_s)
    : backends_(std::move(backends)), max_rooms_(max_rooms), room_ttl_s_(room_ttl_s) {
  // Before the threads start, so the first creates already see the count.
  if (max_rooms_ > 0) count_rooms_once(*backends_.front());
  if (max_rooms_ > 0 && !counted_)
    spdlog::warn("store unavailable at startup: rooms are counted against --max-rooms from 0 until it answers");
  for (std::size_t i = 0; i < backends_.size(); ++i)
    threads_.emplace_back([this, i] { run(*backends_[i], i == 0 && room_ttl_s_ > 0); });
}

// Between batches, on the first store thread only.
void StoreRunner::expire_rooms(StoreBackend& backend) {
  if (backend.expires_by_itself()) {
    if (max_rooms_ == 0) return;
    if (const auto count = backend.count_rooms()) rooms_.store(*count);  // may miss creates in flight: they settle
    return;
  }
  const auto removed = backend.expire_unused(room_ttl_s_);
  if (!removed) return;
  if (*removed > 0) spdlog::info("room expiry: removed {} room{} not joined for {} s (--room-ttl)", *removed,
                                 *removed == 1 ? "" : "s", room_ttl_s_);
  if (max_rooms_ == 0) return;
  for (std::uint64_t i = 0; i < *removed; ++i) release_room();
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
  if (freed) release_room();
}

void StoreRunner::release_room() {
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

void StoreRunner::submit(StoreRequest request, StoreCallback done) {
  request.status = StoreStatus::kUnavailable;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(request), std::move(done), std::chrono::steady_clock::now()});
      wake_.notify_one();
      return;
    }
  }
  done(request);  // after drain(): nothing runs any more
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

void StoreRunner::run(StoreBackend& backend, bool sweeps) {
  std::vector<Pending> batch;
  std::vector<StoreRequest> requests;
  std::vector<std::size_t> admitted;  // index in batch of each entry of requests
  auto next_sweep = std::chrono::steady_clock::now();
  for (;;) {
    if (sweeps && std::chrono::steady_clock::now() >= next_sweep) {
      expire_rooms(backend);
      next_sweep = std::chrono::steady_clock::now() + sweep_interval(room_ttl_s_);
    }
    {
      std::unique_lock lock(mutex_);
      const auto ready = [this] { return stopping_ || !queue_.empty(); };
      if (sweeps) {
        wake_.wait_until(lock, next_sweep, ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (queue_.empty() && stopping_) return;  // everything submitted is done
      if (queue_.empty()) continue;             // time for a sweep
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
      batch[admitted[k]].request = std::move(requests[k]);
    }
    const auto answered = std::chrono::steady_clock::now();
    for (auto& pending : batch) {
      stats_.record(pending.request.op, answered - pending.submitted,
                    pending.request.status == StoreStatus::kUnavailable);
      pending.done(pending.request);
    }
    batch.clear();
  }
}

}  // namespace rk::store
