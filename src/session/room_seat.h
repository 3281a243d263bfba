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

namespace rk::session {

class SeatOwner {
 public:
  // The room was destroyed: tell the client in this protocol, then close.
  virtual void on_room_destroyed(std::string_view key) = 0;

 protected:
  ~SeatOwner() = default;
};

struct Publication {
  enum class Type : std::uint8_t { kLocation, kMessage, kState };
  Type type;
  std::string_view first;   // latitude, or data (raw JSON)
  std::string_view second;  // longitude
};

class RoomSeat final : public room::RoomMember {
 public:
  RoomSeat(ClientLink& link, room::Protocol protocol, SeatOwner& owner)
      : link_(link), protocol_(protocol), owner_(owner) {}

  // Joins `room` under a new member id; the others hear of it first.
  void take(room::Room& room, std::string person);
  // Leaves the room (if in one), telling the others why.
  void leave(room::LeaveReason reason);
  room::Room* room() const { return room_; }

  // Sends to every other member and keeps it in the log; returns its offset.
  std::uint64_t publish(const Publication& publication);

  void deliver(const FramePtr& frame) override { link_.send(frame); }
  const room::MemberInfo& info() const override { return info_; }
  void room_destroyed(std::string_view key) override;

 private:
  bool others_speak(room::Protocol protocol) const;
  void send_to_others(const Publication& publication, FramePtr v2_frame);

  ClientLink& link_;
  room::Protocol protocol_;
  SeatOwner& owner_;
  room::MemberInfo info_;
  room::Room* room_ = nullptr;
  room::Author* author_ = nullptr;  // this membership as the room's log names it
};

}  // namespace rk::session
