#pragma once
// The rooms one event loop holds in memory. A room stays while it has
// members or remembers something (history, last-known state); the store keeps
// its key across restarts and while it is out of memory. Touched by one
// thread only.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "room/retention.h"
#include "room/room.h"

namespace rk::room {

class RoomRegistry {
 public:
  explicit RoomRegistry(RetentionLimits limits = {});

  Room* find(std::string_view key);
  // A room coming into memory starts a new sequence: a new epoch.
  Room& find_or_create(std::string_view key);
  // Removes the room from memory and returns it (for a destroy).
  std::unique_ptr<Room> take(std::string_view key);
  // Drops the room from memory if nothing keeps it there.
  void erase_if_idle(Room& room);
  std::size_t size() const { return rooms_.size(); }
  template <typename Visit>
  void for_each(Visit visit) {
    for (auto& [_, room] : rooms_) visit(*room);
  }

  // A member id for `room`: unique in it, never reused (ids come from one
  // counter per loop that starts at the clock, so a restart does not reuse
  // them either).
  std::string new_member_id();
  // Cluster mode: ids end in ".NODE", so no two nodes hand out the same one.
  void set_member_id_suffix(std::string suffix) { member_id_suffix_ = std::move(suffix); }
  // Called for each room that leaves memory because nothing keeps it there.
  void on_forget(std::function<void(const Room&)> hook) { on_forget_ = std::move(hook); }

  // Expires old history and state in every room, and drops rooms left idle.
  void expire(std::int64_t now_ms);
  // Over the memory budget: drops the oldest entries of this loop's rooms,
  // oldest first, until a tenth of the budget is free again.
  void enforce_budget();

  Retention& retention() { return retention_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  Retention retention_;
  std::uint64_t next_member_serial_;
  std::string member_id_suffix_;
  std::function<void(const Room&)> on_forget_;
  void forgetting(const Room& room) {
    if (on_forget_) on_forget_(room);
  }
  std::unordered_map<std::string, std::unique_ptr<Room>, KeyHash, std::equal_to<>> rooms_;
};

}  // namespace rk::room
