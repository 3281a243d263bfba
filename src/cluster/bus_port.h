#pragma once
// What the cluster bus tells the loop it serves. The bus runs on that loop's
// own thread and calls these directly, always as the last thing it does with
// a room, so a handler may call back into the bus.
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

class BusListener {
 public:
  virtual void on_snapshot(RoomSnapshot& snapshot) = 0;
  // A message on the room's channel (see bus_message.h), in Redis's order.
  virtual void on_room_message(std::string_view room_key, std::string_view message) = 0;
  // Redis is unreachable: rooms go on locally until the bus re-reads them.
  virtual void on_bus_down() = 0;
  // A publication the bus could not hand to Redis (an outage): the loop
  // delivers it locally.
  virtual void on_unsent(std::string_view room_key, std::string_view body) = 0;

 protected:
  ~BusListener() = default;
};

}  // namespace rk::cluster
