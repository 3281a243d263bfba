#include "room/room_log.h"

#include <algorithm>

namespace rk::room {

std::size_t RoomLog::cost(const Retained& entry) {
  return sizeof(Retained) + sizeof(OutboundFrame) + (entry.frame ? entry.frame->size() : 0);
}

void RoomLog::append(Retained entry) {
  const std::size_t limit = retention_.limits.history_size;
  if (limit == 0) return;
  if (history_count_ == limit) drop_history_front();
  retention_.bytes += cost(entry);
  if (history_count_ < history_.size()) {
    history_[(history_head_ + history_count_) % history_.size()] = std::move(entry);
  } else {
    // Full at its current size (below the limit): straighten the ring, then grow it.
    if (history_head_ != 0) {
      std::rotate(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(history_head_), history_.end());
      history_head_ = 0;
    }
    history_.push_back(std::move(entry));
  }
  ++history_count_;
}

void RoomLog::remember_state(std::string_view person, bool is_location, Retained entry) {
  if (retention_.limits.state_ttl_ms <= 0) return;
  const auto it = std::find_if(states_.begin(), states_.end(), [&](const State& s) {
    return s.is_location == is_location && s.person == person;
  });
  if (it != states_.end()) {
    // The newest goes last, so the list stays oldest first; the entry keeps
    // its name (no new string for a person who moves every second).
    retention_.bytes -= cost(it->entry);
    std::rotate(it, it + 1, states_.end());
    states_.back().entry = std::move(entry);
    retention_.bytes += cost(states_.back().entry);
    return;
  }
  states_.push_back(State{std::string(person), is_location, std::move(entry)});
  retention_.bytes += cost(states_.back().entry) + states_.back().person.capacity();
}

void RoomLog::drop_history_front() {
  Retained& front = history_[history_head_];
  retention_.bytes -= cost(front);
  front.frame.reset();
  history_head_ = (history_head_ + 1) % history_.size();
  if (--history_count_ == 0) {
    history_.clear();
    history_.shrink_to_fit();  // a quiet room gives its ring back
    history_head_ = 0;
  }
}

void RoomLog::drop_state_front() {
  retention_.bytes -= cost(states_.front().entry) + states_.front().person.capacity();
  states_.erase(states_.begin());
  if (states_.empty()) states_.shrink_to_fit();
}

void RoomLog::expire(std::int64_t now_ms) {
  while (history_count_ && now_ms - at(0).at_ms > retention_.limits.history_ttl_ms) drop_history_front();
  while (!states_.empty() && now_ms - states_.front().entry.at_ms > retention_.limits.state_ttl_ms)
    drop_state_front();
}

std::int64_t RoomLog::oldest_at() const {
  if (history_count_ == 0) return states_.front().entry.at_ms;
  if (states_.empty()) return at(0).at_ms;
  return std::min(at(0).at_ms, states_.front().entry.at_ms);
}

bool RoomLog::drop_oldest() {
  if (empty()) return false;
  const bool history_first =
      history_count_ && (states_.empty() || at(0).at_ms <= states_.front().entry.at_ms);
  if (history_first) {
    drop_history_front();
  } else {
    drop_state_front();
  }
  return true;
}

void RoomLog::clear() {
  while (history_count_) drop_history_front();
  while (!states_.empty()) drop_state_front();
}

std::size_t RoomLog::first_after(std::uint64_t offset) const {
  // Offsets in the ring are consecutive: no search needed.
  if (history_count_ == 0) return 0;
  const std::uint64_t first = at(0).offset;
  if (offset < first) return 0;
  return std::min<std::size_t>(history_count_, static_cast<std::size_t>(offset - first + 1));
}

}  // namespace rk::room
