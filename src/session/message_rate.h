#pragma once
// --max-messages-per-second for one connection: a token bucket holding twice
// the rate. Excess messages are refused; a full second's worth refused in a
// row is sustained abuse.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include "loop/event_loop.h"
#include "session/client_link.h"
#include "session/loop_context.h"

namespace rk::session {

class MessageRate {
 public:
  enum class Verdict { kAllowed, kRefused, kAbusive };

  // The rate is the loop's setting, passed each time rather than kept: one
  // of these lives in every connection.
  MessageRate(double per_second, loop::Clock::time_point now)
      : tokens_(static_cast<float>(2 * per_second)), refilled_(now) {}

  Verdict take(double per_second, loop::Clock::time_point now) {
    if (per_second <= 0) return Verdict::kAllowed;
    const double refill = per_second * std::chrono::duration<double>(now - refilled_).count();
    tokens_ = static_cast<float>(std::min(2 * per_second, tokens_ + refill));
    refilled_ = now;
    if (tokens_ >= 1) {
      tokens_ -= 1;
      strikes_ = 0;
      return Verdict::kAllowed;
    }
    return ++strikes_ > per_second ? Verdict::kAbusive : Verdict::kRefused;
  }

 private:
  float tokens_;
  std::uint32_t strikes_ = 0;  // messages refused in a row
  loop::Clock::time_point refilled_;
};

// One message's turn at the bucket, as both protocols apply it: refused ones
// get `refusal` (each protocol's own error frame), sustained abuse closes
// with 1008. True if the message may go on.
inline bool admit(MessageRate& rate, ClientLink& link, FramePtr (*refusal)()) {
  switch (rate.take(link.loop().settings.max_messages_per_second, link.loop().loop.now())) {
    case MessageRate::Verdict::kAllowed:
      return true;
    case MessageRate::Verdict::kRefused:
      link.loop().counters.refuse(Limit::kMessagesPerSecond);
      link.send(refusal());
      return false;
    case MessageRate::Verdict::kAbusive:
      link.loop().counters.refuse(Limit::kMessagesPerSecond);
      link.close(ws::CloseCode::kPolicyViolation, "message rate limit exceeded");
      return false;
  }
  return false;
}

}  // namespace rk::session
