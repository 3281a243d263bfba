#include "room/room_registry.h"

#include <algorithm>

namespace rk::room {

void Room::remove(RoomMember* member) {
  const auto it = std::find(members_.begin(), members_.end(), member);
  if (it == members_.end()) return;
  *it = members_.back();
  members_.pop_back();
}

Room* RoomRegistry::find(std::string_view key) {
  const auto it = rooms_.find(key);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Room& RoomRegistry::find_or_create(std::string_view key) {
  auto it = rooms_.find(key);
  if (it == rooms_.end()) it = rooms_.emplace(std::string(key), std::make_unique<Room>(std::string(key))).first;
  return *it->second;
}

std::unique_ptr<Room> RoomRegistry::take(std::string_view key) {
  const auto it = rooms_.find(key);
  if (it == rooms_.end()) return nullptr;
  auto room = std::move(it->second);
  rooms_.erase(it);
  return room;
}

void RoomRegistry::erase_if_empty(Room& room) {
  if (!room.empty()) return;
  const auto it = rooms_.find(std::string_view(room.key()));
  if (it != rooms_.end() && it->second.get() == &room) rooms_.erase(it);
}

}  // namespace rk::room
