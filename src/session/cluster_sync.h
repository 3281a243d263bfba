#pragma once
// Cluster mode, one loop's side: its rooms kept in step with Redis. A room
// is read from Redis before its first member here enters; from then on its
// publications go to Redis and come back, with their offsets, on the room's
// channel (for this node's members as for everyone's), and members joining or
// leaving on other nodes show here as they do there.
//
// While Redis is unreachable each room goes on within this node under a
// sequence of its own (a new epoch; v2 members get a reset); when it is back
// the room is re-read and its members re-registered, and v2 members get a
// reset to Redis's sequence, or, if nothing was missed, simply what they
// missed.
#include <functional>
#include <unordered_map>
#include <string>
#include <string_view>

#include "cluster/bus_message.h"
#include "cluster/bus_port.h"
#include "cluster/cluster_bus.h"
#include "room/member.h"
#include "room/room.h"
#include "session/fan_out.h"

namespace rk::session {

class LoopContext;

class ClusterSync final : public cluster::BusListener {
 public:
  // Owns the loop's bus (started by start(), on the loop's thread).
  ClusterSync(LoopContext& loop, cluster::BusOptions options);
  cluster::ClusterBus& bus() { return bus_; }

  // Reads the room from Redis if it is not yet, then runs `then` on this loop
  // (false: Redis could not be asked).
  void attach(room::Room& room, std::function<void(bool)> then);
  void publish(room::Room& room, const room::MemberInfo& member, const Publication& publication);
  void joined(room::Room& room, const room::MemberInfo& member);
  void left(room::Room& room, const room::MemberInfo& member, room::LeaveReason reason);
  void destroyed(const std::string& key);
  // The HTTP API's publication, `as` the given author: `done` gets its offset
  // once it came back from Redis (or, in an outage, once delivered here).
  // Returns an id for cancel_api_publication (the caller's timeout).
  std::string publish_for_api(room::Room& room, const room::MemberInfo& as, std::string_view data,
                              std::function<void(std::uint64_t)> done);
  void cancel_api_publication(const std::string& id) { api_publications_.erase(id); }
  // The HTTP API's kick, for the members on the other nodes (this node kicks its own).
  void kick_elsewhere(const std::string& key, std::string_view member_id, std::string_view person_json);
  // The room left this loop's memory: its channel is no longer needed.
  void forget(const room::Room& room);
  // End of the loop's turn, before the clients' writes: what the bus owes is
  // answered, and the turn's commands go to Redis in one write.
  void flush() { bus_.flush(); }

  void on_snapshot(cluster::RoomSnapshot& snapshot) override;
  void on_room_message(std::string_view room_key, std::string_view message) override;
  void on_bus_down() override;
  void on_unsent(std::string_view room_key, std::string_view body) override;

 private:
  void load(room::Room& room, const cluster::RoomSnapshot& snapshot);
  void resync(room::Room& room, cluster::RoomSnapshot& snapshot);
  void apply(room::Room& room, const cluster::BusMessage& message);
  void deliver(room::Room& room, const cluster::BusMessage& message);
  void remote_join(room::Room& room, std::string_view node, std::string_view id, std::string_view person_json);
  void remote_leave(room::Room& room, std::string_view node, std::string_view id, char reason);
  void remote_destroy(room::Room& room);
  void announce_reset(room::Room& room);
  void finish_loading(room::Room& room, bool ok);
  void hand_out(room::Room& room, const cluster::PublicationFields& publication, std::uint64_t offset);
  void answer_api(std::string_view ack_id, std::uint64_t offset);
  void kick_here(room::Room& room, std::string_view member_id, std::string_view person_json);
  bool is_remote_member(const room::Room& room, std::string_view node, std::string_view id) const;

  LoopContext& loop_;
  cluster::ClusterBus bus_;
  const std::string node_;
  std::string body_;         // a publication's body, before it is handed to the bus
  std::string state_field_;  // ... and its state's field
  std::unordered_map<std::string, std::function<void(std::uint64_t)>> api_publications_;  // by ack id
  std::uint64_t api_publications_made_ = 0;
};

}  // namespace rk::session
