#pragma once
// The names of a room's keys and channel in Redis. Every one carries the room
// key as its hash tag ({KEY}), so on a Redis Cluster all of a room lives in
// one slot: its scripts may touch them together and its sharded channel is
// served by the same shard.
#include <string>
#include <string_view>

namespace rk::redis {

enum class RoomPart {
  kRoom,     // hash: owner, created_at, last_used (the room store)
  kSeq,      // hash: epoch, offset (cluster mode: the room's sequence)
  kLog,      // list: the latest publications, oldest first (history)
  kState,    // hash: each person's latest location and state
  kMembers,  // hash: who is in the room, on which node (presence)
  kChannel,  // sharded pub/sub channel: publications and presence events
};

inline std::string_view suffix_of(RoomPart part) {
  switch (part) {
    case RoomPart::kRoom:
      return "room";
    case RoomPart::kSeq:
      return "seq";
    case RoomPart::kLog:
      return "log";
    case RoomPart::kState:
      return "state";
    case RoomPart::kMembers:
      return "members";
    case RoomPart::kChannel:
      return "bus";
  }
  return "room";
}

inline std::string room_name(std::string_view room_key, RoomPart part) {
  std::string name;
  const std::string_view suffix = suffix_of(part);
  name.reserve(room_key.size() + suffix.size() + 12);
  name.append("roomkey:{").append(room_key).append("}:").append(suffix);
  return name;
}

// Every SCAN of the room store matches this.
inline constexpr std::string_view kRoomPattern = "roomkey:{*}:room";

}  // namespace rk::redis
