#pragma once
// --max-messages-per-second for one connection: a token bucket holding twice
// the rate. Excess messages are refused; a full second's worth refused in a
// row is sustained abuse.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include "loop/event_loop.h"

namespace rk::session {

class MessageRate {
 public:
  enum class Verdict { kAllowed, kRefused, kAbusive };

  MessageRate(double per_second, loop::Clock::time_point now)
      : per_second_(per_second), tokens_(2 * per_second), refilled_(now) {}

  Verdict take(loop::Clock::time_point now) {
    if (per_second_ <= 0) return Verdict::kAllowed;
    tokens_ = std::min(2 * per_second_,
                       tokens_ + per_second_ * std::chrono::duration<double>(now - refilled_).count());
    refilled_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      strikes_ = 0;
      return Verdict::kAllowed;
    }
    return ++strikes_ > per_second_ ? Verdict::kAbusive : Verdict::kRefused;
  }

 private:
  double per_second_;
  double tokens_;
  loop::Clock::time_point refilled_;
  std::uint32_t strikes_ = 0;  // messages refused in a row
};

}  // namespace rk::session
