#include "room/room_registry.h"

#include <chrono>
#include <queue>
#include <vector>

#include "room/room_key.h"

namespace rk::room {

RoomRegistry::RoomRegistry(RetentionLimits limits)
    : retention_{limits},
      next_member_serial_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()) *
                          1000) {}

Room* RoomRegistry::find(std::string_view key) {
  const auto it = rooms_.find(key);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room& RoomRegistry::find_or_create(std::string_view key) {
  auto it = rooms_.find(key);
  if (it == rooms_.end())
    it = rooms_.emplace(std::string(key), std::make_unique<Room>(std::string(key), generate_epoch(), retention_)).first;
  return *it->second;
}

std::unique_ptr<Room> RoomRegistry::take(std::string_view key) {
  const auto it = rooms_.find(key);
  if (it == rooms_.end()) return nullptr;
  auto room = std::move(it->second);
  rooms_.erase(it);
  return room;
}

void RoomRegistry::erase_if_idle(Room& room) {
  if (!room.idle()) return;
  const auto it = rooms_.find(std::string_view(room.key()));
  if (it != rooms_.end() && it->second.get() == &room) {
    forgetting(room);
    rooms_.erase(it);
  }
}

std::string RoomRegistry::new_member_id() {
  // Base 36: about 10 characters for the next few centuries.
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::uint64_t n = next_member_serial_++;
  char buffer[16];
  char* end = buffer + sizeof buffer;
  char* p = end;
  do {
    *--p = kDigits[n % 36];
    n /= 36;
  } while (n);
  std::string id(p, end);
  id.append(member_id_suffix_);
  return id;
}

void RoomRegistry::expire(std::int64_t now_ms) {
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    Room& room = *it->second;
    room.log().expire(now_ms);
    if (!room.idle()) {
      ++it;
      continue;
    }
    forgetting(room);
    it = rooms_.erase(it);
  }
}

void RoomRegistry::enforce_budget() {
  if (!retention_.over_budget()) return;
  const std::size_t target = retention_.limits.max_bytes - retention_.limits.max_bytes / 10;
  using Oldest = std::pair<std::int64_t, Room*>;
  std::priority_queue<Oldest, std::vector<Oldest>, std::greater<>> oldest_first;
  for (auto& [_, room] : rooms_) {
    if (!room->log().empty()) oldest_first.emplace(room->log().oldest_at(), room.get());
  }
  while (retention_.bytes > target && !oldest_first.empty()) {
    Room* room = oldest_first.top().second;
    oldest_first.pop();
    room->log().drop_oldest();
    if (!room->log().empty()) oldest_first.emplace(room->log().oldest_at(), room);
  }
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    if (!it->second->idle()) {
      ++it;
      continue;
    }
    forgetting(*it->second);
    it = rooms_.erase(it);
  }
}

}  // namespace rk::room
