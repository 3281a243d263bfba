#include "room/room_log.h"

#include <algorithm>

namespace rk::room {

Author* RoomLog::add_author(std::string id, std::string person_json) {
  authors_.push_back(std::make_unique<Author>(Author{std::move(id), std::move(person_json)}));
  retention_.bytes += cost(*authors_.back());
  return authors_.back().get();
}

Author* RoomLog::find_author(std::string_view id) const {
  for (const auto& author : authors_) {
    if (author->id == id) return author.get();
  }
  return nullptr;
}

Author* RoomLog::find_author(std::string_view id, std::string_view person_json) const {
  for (const auto& author : authors_) {
    if (author->id == id && author->person_json == person_json) return author.get();
  }
  return nullptr;
}

Author* RoomLog::author_for(std::string_view id, std::string_view person_json) {
  if (Author* found = find_author(id, person_json)) return found;
  return add_author(std::string(id), std::string(person_json));
}

void RoomLog::unseat(Author* author) {
  author->seated = false;
  forget_if_unused(author);
}

void RoomLog::forget_if_unused(Author* author) {
  if (author->seated || author->entries > 0) return;
  const auto it = std::find_if(authors_.begin(), authors_.end(), [author](const auto& a) { return a.get() == author; });
  if (it == authors_.end()) return;
  retention_.bytes -= cost(*author);
  *it = std::move(authors_.back());
  authors_.pop_back();
}

void RoomLog::fill(Retained& slot, std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind,
                   std::string_view first, std::string_view second) {
  retention_.bytes -= cost(slot);
  Author* previous = slot.author;
  slot.offset = offset;
  slot.at_ms = at_ms;
  slot.author = author;
  ++author->entries;
  slot.assign(kind, first, second);
  retention_.bytes += cost(slot);
  if (previous) {
    --previous->entries;
    forget_if_unused(previous);
  }
}

void RoomLog::let_go(Retained& slot) {
  retention_.bytes -= cost(slot);
  slot.release_heap();
  retention_.bytes += cost(slot);
  Author* author = slot.author;
  slot.author = nullptr;
  if (author) {
    --author->entries;
    forget_if_unused(author);
  }
}

void RoomLog::append(std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind, std::string_view first,
                     std::string_view second) {
  const std::size_t limit = retention_.limits.history_size;
  if (limit == 0) return;
  Retained* slot;
  if (history_count_ == limit) {
    // Full: the oldest slot becomes the newest, its memory reused.
    slot = &history_[history_head_];
    history_head_ = (history_head_ + 1) % history_.size();
  } else if (history_count_ < history_.size()) {
    slot = &history_[(history_head_ + history_count_) % history_.size()];
    ++history_count_;
  } else {
    // Full at its current size, below the limit: straighten the ring, then grow it.
    if (history_head_ != 0) {
      std::rotate(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(history_head_), history_.end());
      history_head_ = 0;
    }
    history_.emplace_back();
    retention_.bytes += cost(history_.back());
    slot = &history_.back();
    ++history_count_;
  }
  fill(*slot, offset, at_ms, author, kind, first, second);
}

void RoomLog::remember_state(std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind,
                             std::string_view first, std::string_view second) {
  if (retention_.limits.state_ttl_ms <= 0) return;
  const bool location = kind == Kind::kLocation;
  auto it = std::find_if(states_.begin(), states_.end(), [&](const Retained& s) {
    return (s.kind() == Kind::kLocation) == location && (s.author == author || s.author->person_json == author->person_json);
  });
  if (it != states_.end()) {
    // The newest goes last, so the list stays oldest first.
    std::rotate(it, it + 1, states_.end());
  } else {
    states_.emplace_back();
    retention_.bytes += cost(states_.back());
  }
  fill(states_.back(), offset, at_ms, author, kind, first, second);
}

void RoomLog::drop_history_front() {
  let_go(history_[history_head_]);
  history_head_ = (history_head_ + 1) % history_.size();
  if (--history_count_ == 0) {
    retention_.bytes -= history_.size() * sizeof(Retained);
    history_.clear();
    history_.shrink_to_fit();  // a quiet room gives its ring back
    history_head_ = 0;
  }
}

void RoomLog::drop_state_front() {
  let_go(states_.front());
  retention_.bytes -= cost(states_.front());
  states_.erase(states_.begin());
  if (states_.empty()) states_.shrink_to_fit();
}

void RoomLog::expire(std::int64_t now_ms) {
  while (history_count_ && now_ms - at(0).at_ms > retention_.limits.history_ttl_ms) drop_history_front();
  while (!states_.empty() && now_ms - states_.front().at_ms > retention_.limits.state_ttl_ms) drop_state_front();
}

std::int64_t RoomLog::oldest_at() const {
  if (history_count_ == 0) return states_.front().at_ms;
  if (states_.empty()) return at(0).at_ms;
  return std::min(at(0).at_ms, states_.front().at_ms);
}

bool RoomLog::drop_oldest() {
  if (empty()) return false;
  const bool history_first = history_count_ && (states_.empty() || at(0).at_ms <= states_.front().at_ms);
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
  for (const auto& author : authors_) retention_.bytes -= cost(*author);
  authors_.clear();
}

void RoomLog::clear_history() {
  while (history_count_) drop_history_front();
}

void RoomLog::clear_entries() {
  clear_history();
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
