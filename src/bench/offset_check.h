#pragma once
// Protocol v2 promises every member offsets 1, 2, 3, ... of its room without
// gap or duplicate (its own publications arrive as acks). The bench checks it
// per client: what it expects next, and every break from that.
#include <cstdint>

namespace rk::bench {

class OffsetCheck {
 public:
  // The joined reply: the room's latest offset; what follows starts after it.
  void start_after(std::uint64_t offset) { next_ = offset + 1; }
  std::uint64_t last_seen() const { return next_ - 1; }

  void see(std::uint64_t offset) {
    ++checked_;
    if (offset == next_) {
      ++next_;
    } else if (offset < next_) {
      ++duplicates_;
    } else {
      gaps_ += offset - next_;
      next_ = offset + 1;
    }
  }

  std::uint64_t checked() const { return checked_; }
  std::uint64_t gaps() const { return gaps_; }
  std::uint64_t duplicates() const { return duplicates_; }

 private:
  std::uint64_t next_ = 1;
  std::uint64_t checked_ = 0, gaps_ = 0, duplicates_ = 0;
};

}  // namespace rk::bench
