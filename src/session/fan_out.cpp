#include "session/fan_out.h"

#include "protocol/server_message.h"
#include "protocol/server_message_v2.h"
#include "session/loop_context.h"
#include "ws/frame_writer.h"

namespace rk::session {
using room::Protocol;

namespace {

// Whether anyone but the sender speaks `protocol`.
bool others_speak(const room::Room& room, Protocol protocol, Sender sender) {
  return room.count(protocol) > (sender.member && sender.protocol == protocol ? 1u : 0u);
}

}  // namespace

room::Broadcast join_notice(const room::Room& room, const room::MemberInfo& member) {
  room::Broadcast notice;
  if (room.count(Protocol::kV1))
    notice[Protocol::kV1] = protocol::connection_message_frame_after(member.person_json, protocol::notice::kJoined);
  if (room.count(Protocol::kV2)) notice[Protocol::kV2] = protocol::v2::presence_join_frame({member.id, member.person_json});
  return notice;
}

room::Broadcast leave_notice(const room::Room& room, const room::MemberInfo& member, room::LeaveReason reason) {
  room::Broadcast notice;
  if (room.count(Protocol::kV1))
    notice[Protocol::kV1] =
        protocol::connection_message_frame_after(member.person_json, protocol::notice::kDisconnected);
  if (room.count(Protocol::kV2))
    notice[Protocol::kV2] = protocol::v2::presence_leave_frame({member.id, member.person_json}, room::name_of(reason));
  return notice;
}

void fan_out(LoopContext& loop, room::Room& room, const Publication& publication, const Placed& placed,
             Sender sender, room::Author*& author) {
  room::Broadcast message;
  if (others_speak(room, Protocol::kV2, sender)) {
    std::string& json = loop.publication_scratch;
    protocol::v2::write_publication({static_cast<protocol::v2::PublicationType>(publication.type), placed.member_id,
                                     placed.person_json, publication.first, publication.second, placed.offset,
                                     placed.at_ms},
                                    json);
    message[Protocol::kV2] = ws::make_text_frame({json});
  }
  if (others_speak(room, Protocol::kV1, sender)) {
    message[Protocol::kV1] = publication.type == Publication::Type::kLocation
                                 ? protocol::location_frame(placed.person_json, publication.first, publication.second)
                                 : protocol::relay_frame(placed.person_json, publication.first);
  }
  room.broadcast(message, sender.member);
  loop.counters.deliveries += room.members().size() - (sender.member ? 1 : 0);
  // Kept after the frames are sent and released: the room's log is memory
  // this thread has not touched for a while, and writing it first made the
  // frames' atomic reference counts wait for those writes.
  auto& rooms = loop.rooms;
  const auto& limits = rooms.retention().limits;
  const auto kind = static_cast<room::Kind>(publication.type);
  const bool is_state = publication.type != Publication::Type::kMessage;
  // Only members that publish get an author record: idle ones cost nothing here.
  if (!author && (limits.history_size > 0 || is_state))
    author = room.log().add_author(std::string(placed.member_id), std::string(placed.person_json));
  if (limits.history_size > 0)
    room.log().append(placed.offset, placed.at_ms, author, kind, publication.first, publication.second);
  if (is_state) room.log().remember_state(placed.offset, placed.at_ms, author, kind, publication.first, publication.second);
  if (rooms.retention().over_budget()) rooms.enforce_budget();
}

std::string v2_json_of(const room::Retained& entry) {
  std::string json;
  protocol::v2::write_publication({static_cast<protocol::v2::PublicationType>(entry.kind()), entry.author->id,
                                   entry.author->person_json, entry.first(), entry.second(), entry.offset, entry.at_ms},
                                  json);
  return json;
}

}  // namespace rk::session
