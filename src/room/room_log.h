#pragma once
// What a room remembers of its publications: the latest ones in order (its
// history, for resume and the history request) and each person's latest
// location or state (for joiners: "last seen"). Entries hold the publication
// as the v2 frame that was sent, so keeping one costs a reference, not a copy.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "room/retention.h"
#include "util/shared_frame.h"

namespace rk::room {

struct Retained {
  std::uint64_t offset = 0;
  std::int64_t at_ms = 0;  // server time, Unix milliseconds
  FramePtr frame;          // the publication, as protocol v2 frames it
};

class RoomLog {
 public:
  explicit RoomLog(Retention& retention) : retention_(retention) {}
  ~RoomLog() { clear(); }
  RoomLog(const RoomLog&) = delete;
  RoomLog& operator=(const RoomLog&) = delete;

  void append(Retained entry);
  // Each person's latest location and latest state are kept apart.
  void remember_state(std::string_view person, bool is_location, Retained entry);
  // Drops what is older than the limits allow at `now_ms`.
  void expire(std::int64_t now_ms);
  // Budget eviction: drops the oldest entry, history or state. False if empty.
  bool drop_oldest();
  // Time of the oldest entry held (history or state); only when !empty().
  std::int64_t oldest_at() const;
  bool empty() const { return history_count_ == 0 && states_.empty(); }
  void clear();

  // The oldest offset still held, or 0 if none is.
  std::uint64_t first_offset() const { return history_count_ ? at(0).offset : 0; }
  std::size_t history_count() const { return history_count_; }
  // History entry `i`, 0 the oldest.
  const Retained& at(std::size_t i) const { return history_[(history_head_ + i) % history_.size()]; }
  // Index of the first entry after `offset` (history_count() if none).
  std::size_t first_after(std::uint64_t offset) const;

  struct State {
    std::string person;
    bool is_location;
    Retained entry;
  };
  const std::vector<State>& states() const { return states_; }  // oldest first

 private:
  static std::size_t cost(const Retained& entry);
  void drop_history_front();
  void drop_state_front();

  Retention& retention_;
  std::vector<Retained> history_;  // a ring, grown up to the history size
  std::size_t history_head_ = 0;
  std::size_t history_count_ = 0;
  std::vector<State> states_;  // one per person, oldest first
};

}  // namespace rk::room
