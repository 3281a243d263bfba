#pragma once
#include <string>
#include <cstdint>
#include <unordered_map>

#include "store/room_store.h"

namespace rk::store {

// `--store memory`: rooms last as long as the process.
class MemoryBackend final : public StoreBackend {
 public:
  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override { return rooms_.size(); }
  std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) override;
  std::string describe() const override { return "memory (rooms are lost on exit)"; }

 private:
  struct Row {
    std::string owner;
    std::int64_t last_used_s;
    std::int64_t created_at_s = 0;
  };
  std::unordered_map<std::string, Row> rooms_;
};

}  // namespace rk::store
