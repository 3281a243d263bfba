#include "session/room_seat.h"

#include "protocol/json_text.h"
#include "protocol/server_message.h"
#include "protocol/server_message_v2.h"
#include "session/loop_context.h"
#include "ws/frame_writer.h"

namespace rk::session {
using room::Protocol;

namespace {

std::string_view reason_name(room::LeaveReason reason) {
  switch (reason) {
    case room::LeaveReason::kClosed:
      return "closed";
    case room::LeaveReason::kTimeout:
      return "timeout";
    case room::LeaveReason::kDropped:
      return "dropped";
  }
  return "closed";
}

FramePtr v1_notice(const std::string& person_json, std::string_view suffix) {
  return protocol::connection_message_frame_after(person_json, suffix);
}

}  // namespace

bool RoomSeat::others_speak(Protocol protocol) const {
  return room_->count(protocol) > (protocol_ == protocol ? 1u : 0u);
}

void RoomSeat::name(std::string_view person) { info_.person_json = protocol::json_string(person); }

void RoomSeat::take(room::Room& room) {
  info_.id = link_.loop().rooms.new_member_id();
  room::Broadcast notice;
  if (room.count(Protocol::kV1)) notice[Protocol::kV1] = v1_notice(info_.person_json, protocol::notice::kJoined);
  if (room.count(Protocol::kV2))
    notice[Protocol::kV2] = protocol::v2::presence_join_frame({info_.id, info_.person_json});
  room.broadcast(notice, this);
  room.add(this, protocol_);
  room_ = &room;
}

void RoomSeat::leave(room::LeaveReason reason) {
  if (!room_) return;
  room::Room& room = *room_;
  room_ = nullptr;
  room.remove(this);
  if (author_) room.log().unseat(author_);
  author_ = nullptr;
  if (!room.empty()) {
    room::Broadcast notice;
    if (room.count(Protocol::kV1))
      notice[Protocol::kV1] = v1_notice(info_.person_json, protocol::notice::kDisconnected);
    if (room.count(Protocol::kV2))
      notice[Protocol::kV2] = protocol::v2::presence_leave_frame({info_.id, info_.person_json}, reason_name(reason));
    room.broadcast(notice, this);
  }
  link_.loop().rooms.erase_if_idle(room);
}

std::uint64_t RoomSeat::publish(const Publication& publication) {
  room::Room& room = *room_;
  auto& rooms = link_.loop().rooms;
  const auto& limits = rooms.retention().limits;
  const std::uint64_t offset = room.next_offset();
  const std::int64_t at = link_.loop().unix_ms();
  const bool is_state = publication.type != Publication::Type::kMessage;
  FramePtr v2_frame;
  if (others_speak(Protocol::kV2)) {
    std::string& json = link_.loop().publication_scratch;
    protocol::v2::write_publication({static_cast<protocol::v2::PublicationType>(publication.type), info_.id,
                                     info_.person_json, publication.first, publication.second, offset, at},
                                    json);
    v2_frame = ws::make_text_frame({json});
  }
  send_to_others(publication, std::move(v2_frame));
  // Kept after the frames are sent and released: the room's log is memory
  // this thread has not touched for a while, and writing it first made the
  // frames' atomic reference counts wait for those writes.
  const auto kind = static_cast<room::Kind>(publication.type);
  // Only members that publish get an author record: idle ones cost nothing here.
  if (!author_ && (limits.history_size > 0 || is_state)) author_ = room.log().add_author(info_.id, info_.person_json);
  if (limits.history_size > 0) room.log().append(offset, at, author_, kind, publication.first, publication.second);
  if (is_state) room.log().remember_state(offset, at, author_, kind, publication.first, publication.second);
  if (rooms.retention().over_budget()) rooms.enforce_budget();
  return offset;
}

void RoomSeat::send_to_others(const Publication& publication, FramePtr v2_frame) {
  room::Broadcast message;
  message[Protocol::kV2] = std::move(v2_frame);
  if (others_speak(Protocol::kV1)) {
    message[Protocol::kV1] = publication.type == Publication::Type::kLocation
                                 ? protocol::location_frame(info_.person_json, publication.first, publication.second)
                                 : protocol::relay_frame(info_.person_json, publication.first);
  }
  room_->broadcast(message, this);
}

void RoomSeat::room_destroyed(std::string_view key) {
  room_ = nullptr;  // destroyed rooms send no leave notice
  author_ = nullptr;
  owner_.on_room_destroyed(key);
}

}  // namespace rk::session
