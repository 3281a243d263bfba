#pragma once
// One publication handed to a room's members and kept in its log: framed once
// per protocol that some recipient speaks, at an offset already taken (from
// the room's own sequence, or, in cluster mode, from Redis's).
#include <cstdint>
#include <string>
#include <string_view>

#include "room/room.h"

namespace rk::session {

class LoopContext;

struct Publication {
  enum class Type : std::uint8_t { kLocation, kMessage, kState };  // room::Kind's order
  Type type;
  std::string_view first;   // latitude, or data (raw JSON)
  std::string_view second;  // longitude
  std::string_view ack_id;  // v2: the publish's "id" as sent, to acknowledge; empty: none
};

struct Placed {
  std::string_view member_id;
  std::string_view person_json;
  std::uint64_t offset;
  std::int64_t at_ms;
};

// The member that published, if it is one of this node's: it gets nothing.
struct Sender {
  const room::RoomMember* member = nullptr;
  room::Protocol protocol = room::Protocol::kV1;
};

// `author` is the sender's record in the room's log, made here if the log
// needs one.
void fan_out(LoopContext& loop, room::Room& room, const Publication& publication, const Placed& placed, Sender sender,
             room::Author*& author);

// Presence notices for the members already in `room`, framed once for each
// protocol spoken there: v1's "P Joined!" / "P Disconnected!", v2's presence
// events.
room::Broadcast join_notice(const room::Room& room, const room::MemberInfo& member);
room::Broadcast leave_notice(const room::Room& room, const room::MemberInfo& member, room::LeaveReason reason);

// A kept publication as v2 sends it (joined's state, history, resume, reset).
std::string v2_json_of(const room::Retained& entry);

}  // namespace rk::session
