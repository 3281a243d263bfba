#include "room/room.h"

#include <algorithm>

namespace rk::room {

void Room::add(RoomMember* member, Protocol protocol) {
  members_.emplace_back(member, protocol);
  ++counts_[static_cast<std::size_t>(protocol)];
}

void Room::remove(RoomMember* member) {
  const auto it = std::find_if(members_.begin(), members_.end(), [member](const Seat& s) { return s.member() == member; });
  if (it == members_.end()) return;
  --counts_[static_cast<std::size_t>(it->protocol())];
  members_.erase(it);  // keeps the others oldest first, as presence lists them
}

}  // namespace rk::room
