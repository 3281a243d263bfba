#pragma once
// A client's place in a room, whatever protocol it speaks: its member id and
// name, the presence notices when it comes and goes, and its publications:
// each gets the room's next offset, is framed once for each protocol spoken
// in the room, and is kept in the room's log.
#include <cstdint>
#include <string>
#include <string_view>

#include "room/member.h"
#include "room/room.h"
#include "session/client_link.h"
#include "session/protocol_handler.h"

namespace rk::session {

struct Publication {
  enum class Type : std::uint8_t { kLocation, kMessage, kState };
  Type type;
  std::string_view first;   // latitude, or data (raw JSON)
  std::string_view second;  // longitude
};

class RoomSeat final : public room::RoomMember {
 public:
  RoomSeat(ClientLink& link, room::Protocol protocol, ProtocolHandler& owner)
      : link_(link), protocol_(protocol), owner_(owner) {}

  // The name from init (kept only as its JSON literal).
  void name(std::string_view person);
  // Joins `room` under a new member id; the others hear of it first.
  void take(room::Room& room);
  // Leaves the room (if in one), telling the others why.
  void leave(room::LeaveReason reason);
  room::Room* room() const { return room_; }

  // Sends to every other member and keeps it in the log; returns its offset.
  std::uint64_t publish(const Publication& publication);

  void deliver(const FramePtr& frame) override { link_.send(frame); }
  // The client this seat speaks to (its handler keeps no copy: one pointer
  // less per connection).
  ClientLink& link() const { return link_; }
  const room::MemberInfo& info() const override { return info_; }
  void room_destroyed(std::string_view key) override;

 private:
  bool others_speak(room::Protocol protocol) const;
  void send_to_others(const Publication& publication, FramePtr v2_frame);

  ClientLink& link_;
  room::Protocol protocol_;
  ProtocolHandler& owner_;
  room::MemberInfo info_;
  room::Room* room_ = nullptr;
  room::Author* author_ = nullptr;  // this membership as the room's log names it
};

}  // namespace rk::session
