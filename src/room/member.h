#pragma once
// A room's view of its members: who they are, which protocol they speak, and
// how a message reaches them. A member is a protocol handler's seat for a
// local connection today, a subscription relaying to other nodes later;
// rooms reach them only through this interface, never cast to what they are.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/shared_frame.h"

namespace rk::room {

enum class Protocol : std::uint8_t { kV1 = 0, kV2 = 1 };
inline constexpr std::size_t kProtocolCount = 2;

// One message as each protocol frames it. A frame is built only when some
// member speaks that protocol; members of a protocol with no frame get nothing.
struct Broadcast {
  std::array<FramePtr, kProtocolCount> frames;
  FramePtr& operator[](Protocol protocol) { return frames[static_cast<std::size_t>(protocol)]; }
  const FramePtr& operator[](Protocol protocol) const { return frames[static_cast<std::size_t>(protocol)]; }
};

// Why a member left, for the others' presence events.
enum class LeaveReason : std::uint8_t {
  kClosed,   // the client closed (a close frame, or its TCP connection ended)
  kTimeout,  // it stopped answering pings
  kDropped,  // the server closed it: too slow, a broken rule or limit, or a shutdown
};

// As v2's presence events and the connection log name it.
inline std::string_view name_of(LeaveReason reason) {
  switch (reason) {
    case LeaveReason::kClosed:
      return "closed";
    case LeaveReason::kTimeout:
      return "timeout";
    case LeaveReason::kDropped:
      return "dropped";
  }
  return "closed";
}

struct MemberInfo {
  std::string id;           // unique in the room, never reused by it
  // The name from init as a JSON string literal, encoded once (two members
  // may share a name). Notices splice it in; nothing needs it raw.
  std::string person_json;
};

class RoomMember {
 public:
  virtual void deliver(const FramePtr& frame) = 0;
  virtual const MemberInfo& info() const = 0;
  // The room was destroyed and has already let go of its members: each tells
  // its own client in its own protocol and leaves without a leave notice.
  virtual void room_destroyed(std::string_view key) = 0;
  // Cluster mode: the member's publication took `offset` in the room's
  // sequence (Redis's, known only once it came back).
  virtual void acknowledged(std::string_view ack_id, std::uint64_t offset) = 0;
  // Removed by the server's HTTP API: told in its protocol, then closed (1008).
  virtual void kicked() = 0;

 protected:
  ~RoomMember() = default;
};

}  // namespace rk::room
