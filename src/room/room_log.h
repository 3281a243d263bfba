#pragma once
// What a room remembers of its publications: the latest ones in order (its
// history, for resume and the history request) and each person's latest
// location and state (for joiners: "last seen"), and the authors those
// entries name. Entries are compact records in slots that are reused (see
// retained.h): once a room's ring is full, keeping one more publication
// writes one cache line, allocates nothing and touches no shared count.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "room/retained.h"
#include "room/retention.h"

namespace rk::room {

class RoomLog {
 public:
  explicit RoomLog(Retention& retention) : retention_(retention) {}
  ~RoomLog() { clear(); }
  RoomLog(const RoomLog&) = delete;
  RoomLog& operator=(const RoomLog&) = delete;

  // A member's author record, for as long as it is seated or named by an entry.
  Author* add_author(std::string id, std::string person_json);
  void unseat(Author* author);
  // The record of a member of another node (cluster mode), or of the HTTP
  // API's publisher, found by its id and name (made if there is none yet).
  Author* author_for(std::string_view id, std::string_view person_json);
  Author* find_author(std::string_view id) const;
  // The HTTP API publishes under one id with any name: found by both.
  Author* find_author(std::string_view id, std::string_view person_json) const;

  void append(std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind, std::string_view first,
              std::string_view second);
  // Each person's latest location and latest state are kept apart.
  void remember_state(std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind, std::string_view first,
                      std::string_view second);
  // Drops what is older than the limits allow at `now_ms`.
  void expire(std::int64_t now_ms);
  // Budget eviction: drops the oldest entry, history or state. False if empty.
  bool drop_oldest();
  // Time of the oldest entry held (history or state); only when !empty().
  std::int64_t oldest_at() const;
  bool empty() const { return history_count_ == 0 && states_.empty(); }
  void clear();
  // A new sequence starts (cluster mode: Redis became unreachable, or came
  // back): the history of the old one no longer fits its offsets.
  void clear_history();
  // History and state go (cluster mode: Redis's replace them); the records
  // of members still seated stay, since their seats point to them.
  void clear_entries();

  // The oldest offset still held, or 0 if none is.
  std::uint64_t first_offset() const { return history_count_ ? at(0).offset : 0; }
  std::size_t history_count() const { return history_count_; }
  // History entry `i`, 0 the oldest.
  const Retained& at(std::size_t i) const { return history_[(history_head_ + i) % history_.size()]; }
  // Index of the first entry after `offset` (history_count() if none).
  std::size_t first_after(std::uint64_t offset) const;
  const std::vector<Retained>& states() const { return states_; }  // oldest first

 private:
  static std::size_t cost(const Retained& entry) { return sizeof(Retained) + entry.heap_bytes(); }
  static std::size_t cost(const Author& author) {
    return sizeof(Author) + author.id.capacity() + author.person_json.capacity();
  }
  void fill(Retained& slot, std::uint64_t offset, std::int64_t at_ms, Author* author, Kind kind,
            std::string_view first, std::string_view second);
  void let_go(Retained& slot);  // the slot no longer names its author, and gives back its heap bytes
  void forget_if_unused(Author* author);
  void drop_history_front();
  void drop_state_front();

  Retention& retention_;
  std::vector<Retained> history_;  // a ring, grown up to the history size
  std::size_t history_head_ = 0;
  std::size_t history_count_ = 0;
  std::vector<Retained> states_;  // one per person and kind, oldest first
  std::vector<std::unique_ptr<Author>> authors_;
};

}  // namespace rk::room
