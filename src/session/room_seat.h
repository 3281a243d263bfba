#pragma once
// A client's place in a room, whatever protocol it speaks: its member id and
// name, the presence notices when it comes and goes, and its publications:
// each gets the room's next offset, is framed once for each protocol spoken
// in the room, and is kept in the room's log.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "room/member.h"
#include "room/room.h"
#include "session/client_link.h"
#include "session/fan_out.h"
#include "session/protocol_handler.h"

namespace rk::session {

class RoomSeat final : public room::RoomMember {
 public:
  explicit RoomSeat(ClientLink& link) : link_(link) {}

  // The name from init (kept only as its JSON literal).
  void name(std::string_view person);
  // Joins `room` under a new member id; the others hear of it first.
  void take(room::Room& room);
  // Leaves the room (if in one), telling the others why.
  void leave(room::LeaveReason reason);
  room::Room* room() const { return room_; }

  // Sends to every other member and keeps it in the log; returns its offset.
  // In cluster mode the offset is Redis's and comes later: nothing is
  // returned now, and the handler hears on_published() when it is known.
  std::optional<std::uint64_t> publish(const Publication& publication);
  // The handler's, asked rather than kept: a seat lives in every connection.
  room::Protocol protocol() const {
    return link_.handler().version() == 2 ? room::Protocol::kV2 : room::Protocol::kV1;
  }

  void deliver(const FramePtr& frame) override { link_.send(frame); }
  // The client this seat speaks to (its handler keeps no copy: one pointer
  // less per connection).
  ClientLink& link() const { return link_; }
  const room::MemberInfo& info() const override { return info_; }
  void room_destroyed(std::string_view key) override;
  void acknowledged(std::string_view ack_id, std::uint64_t offset) override;
  void kicked() override { link_.handler().on_kicked(); }

 private:
  ClientLink& link_;
  room::MemberInfo info_;
  room::Room* room_ = nullptr;
  room::Author* author_ = nullptr;  // this membership as the room's log names it
};

}  // namespace rk::session
