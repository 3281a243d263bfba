#pragma once
// The boundary between the event loops and the cluster bus thread. A loop
// talks to the bus through its own LoopPort (requests gathered during a turn,
// handed over at its end under the port's own lock: no lock shared by all
// loops); the bus answers each loop with one posted task per bus turn, which
// calls that loop's BusListener.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rk::cluster {

// A room as Redis holds it, for a node that starts serving it (or re-reads
// it after an outage or a gap).
struct RoomSnapshot {
  std::string key;
  bool ok = false;      // false: Redis could not be asked; nothing was loaded
  bool resync = false;  // a re-read of a room the loop already serves
  std::string epoch;
  std::uint64_t offset = 0;
  std::vector<std::string> history;  // publication messages, oldest first
  std::vector<std::string> states;   // publication messages, one per person and kind
  std::vector<std::string> members;  // join messages of every member, on every node
};

// Called on the loop's own thread.
class BusListener {
 public:
  virtual void on_snapshot(RoomSnapshot& snapshot) = 0;
  // A message on the room's channel (see bus_message.h), in Redis's order.
  virtual void on_room_message(std::string_view room_key, std::string_view message) = 0;
  // Redis is unreachable: rooms go on locally until the bus re-reads them.
  virtual void on_bus_down() = 0;
  // A publication the bus could not hand to Redis (an outage): the loop
  // delivers it locally.
  virtual void on_unsent(std::string_view room_key, std::string_view body, std::string_view state_field) = 0;

 protected:
  ~BusListener() = default;
};

struct BusRequest {
  enum class Op : std::uint8_t { kAttach, kDetach, kPublish, kJoin, kLeave, kDestroyed };
  Op op;
  std::string key;
  std::string first;   // publish: body; join/leave: member field
  std::string second;  // publish: state field; join/leave: message
};

}  // namespace rk::cluster
