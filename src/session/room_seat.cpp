#include "session/room_seat.h"

#include "protocol/json_text.h"
#include "session/loop_context.h"
#include "session/cluster_sync.h"

namespace rk::session {
using room::Protocol;


void RoomSeat::name(std::string_view person) { info_.person_json = protocol::json_string(person); }

void RoomSeat::take(room::Room& room) {
  info_.id = link_.loop().rooms.new_member_id();
  room.broadcast(join_notice(room, info_), this);
  room.add(this, protocol());
  room_ = &room;
  if (room.clustered()) link_.loop().cluster->joined(room, info_);
}

void RoomSeat::leave(room::LeaveReason reason) {
  if (!room_) return;
  room::Room& room = *room_;
  room_ = nullptr;
  room.remove(this);
  if (author_) room.log().unseat(author_);
  if (room.clustered()) {
    // Publications that came back through Redis may have made a record of their own.
    if (room::Author* echoed = room.log().find_author(info_.id); echoed && echoed != author_) room.log().unseat(echoed);
    link_.loop().cluster->left(room, info_, reason);
  }
  author_ = nullptr;
  if (!room.empty()) room.broadcast(leave_notice(room, info_, reason), this);
  link_.loop().rooms.erase_if_idle(room);
}

std::optional<std::uint64_t> RoomSeat::publish(const Publication& publication) {
  room::Room& room = *room_;
  LoopContext& loop = link_.loop();
  if (room.sync() == room::Room::Sync::kShared) {
    loop.cluster->publish(room, info_, publication);
    return std::nullopt;
  }
  const std::uint64_t offset = room.next_offset();
  fan_out(loop, room, publication, {info_.id, info_.person_json, offset, loop.unix_ms()}, {this, protocol()}, author_);
  return offset;
}

void RoomSeat::acknowledged(std::string_view ack_id, std::uint64_t offset) { link_.handler().on_published(ack_id, offset); }

void RoomSeat::room_destroyed(std::string_view key) {
  room_ = nullptr;  // destroyed rooms send no leave notice
  author_ = nullptr;
  link_.handler().on_room_destroyed(key);
}

}  // namespace rk::session
