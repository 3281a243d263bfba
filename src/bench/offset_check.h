#pragma once
// Protocol v2 promises every member offsets 1, 2, 3, ... of its room without
// gap or duplicate (its own publications arrive as acks). The bench checks it
// per client: what it expects next, and every break from that.
#include <cstdint>
#include <vector>

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

  // A resume's joined reply. Recovered: every publication after the last one
  // seen must be in `missed`, in order, up to the room's `offset`; returns how
  // many were not (lost although the server said it recovered them). Not
  // recovered: the client starts over after `offset`.
  std::uint64_t resume(bool recovered, std::uint64_t offset, const std::vector<std::uint64_t>& missed) {
    if (!recovered) {
      start_after(offset);
      return 0;
    }
    const std::uint64_t gaps_before = gaps_;
    for (const std::uint64_t o : missed) see(o);
    if (last_seen() < offset) see(offset);  // the latest must have been among them
    return gaps_ - gaps_before;
  }

  std::uint64_t checked() const { return checked_; }
  std::uint64_t gaps() const { return gaps_; }
  std::uint64_t duplicates() const { return duplicates_; }

 private:
  std::uint64_t next_ = 1;
  std::uint64_t checked_ = 0, gaps_ = 0, duplicates_ = 0;
};

}  // namespace rk::bench
