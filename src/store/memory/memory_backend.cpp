#include "store/memory/memory_backend.h"

#include <chrono>
#include <iterator>

namespace rk::store {
namespace {
std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

void MemoryBackend::run_batch(std::span<StoreRequest> requests) {
  for (auto& request : requests) {
    switch (request.op) {
      case StoreOp::kCreate:
        request.status = rooms_.try_emplace(request.key, Row{request.owner, now_s(), now_s()}).second
                             ? StoreStatus::kOk
                             : StoreStatus::kAlreadyExists;
        break;
      case StoreOp::kExists: {
        const auto found = rooms_.find(request.key);
        request.status = found != rooms_.end() ? StoreStatus::kOk : StoreStatus::kNotFound;
        if (found != rooms_.end()) {
          request.owner = found->second.owner;
          request.created_at_s = found->second.created_at_s;
        }
        break;
      }
      case StoreOp::kDestroy:
        request.status = rooms_.erase(request.key) ? StoreStatus::kOk : StoreStatus::kNotFound;
        break;
      case StoreOp::kTouch: {
        const auto found = rooms_.find(request.key);
        request.status = found != rooms_.end() ? StoreStatus::kOk : StoreStatus::kNotFound;
        if (found != rooms_.end()) found->second.last_used_s = now_s();
        break;
      }
    }
  }
}

std::optional<std::uint64_t> MemoryBackend::expire_unused(std::int64_t ttl_s) {
  const std::int64_t cutoff = now_s() - ttl_s;
  return std::erase_if(rooms_, [cutoff](const auto& room) { return room.second.last_used_s < cutoff; });
}

}  // namespace rk::store
