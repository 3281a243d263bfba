#pragma once
// What one loop's rooms may keep of their past: history per room (count and
// age), each person's last known state (age), and a memory budget shared by
// all of them (this loop's share of --history-max-bytes). Every byte a room
// log holds is counted here, so the budget is exact, not estimated.
#include <cstddef>
#include <cstdint>

namespace rk::room {

struct RetentionLimits {
  std::size_t history_size = 100;            // publications per room; 0 keeps none
  std::int64_t history_ttl_ms = 300'000;     // a publication older than this goes
  std::int64_t state_ttl_ms = 86'400'000;    // a last-known state older than this goes; 0 keeps none
  std::size_t max_bytes = std::size_t{256} << 20;
};

struct Retention {
  RetentionLimits limits;
  std::size_t bytes = 0;  // held now by every room log of this loop

  bool keeps_anything() const { return limits.history_size > 0 || limits.state_ttl_ms > 0; }
  bool over_budget() const { return bytes > limits.max_bytes; }
};

}  // namespace rk::room
