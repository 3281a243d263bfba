#include "store/memory/memory_backend.h"

namespace rk::store {

void MemoryBackend::run_batch(std::span<StoreRequest> requests) {
  for (auto& request : requests) {
    switch (request.op) {
      case StoreOp::kCreate:
        request.status = keys_.insert(request.key).second ? StoreStatus::kOk : StoreStatus::kAlreadyExists;
        break;
      case StoreOp::kExists:
        request.status = keys_.contains(request.key) ? StoreStatus::kOk : StoreStatus::kNotFound;
        break;
      case StoreOp::kDestroy:
        request.status = keys_.erase(request.key) ? StoreStatus::kOk : StoreStatus::kNotFound;
        break;
    }
  }
}

}  // namespace rk::store
