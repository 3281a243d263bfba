#pragma once
#include <string>
#include <unordered_set>

#include "store/room_store.h"

namespace rk::store {

// `--store memory`: rooms last as long as the process.
class MemoryBackend final : public StoreBackend {
 public:
  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override { return keys_.size(); }
  std::string describe() const override { return "memory (rooms are lost on exit)"; }

 private:
  std::unordered_set<std::string> keys_;
};

}  // namespace rk::store
