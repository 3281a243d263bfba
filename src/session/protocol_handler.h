#pragma once
// One protocol version's side of a connection: what its messages mean, and
// what its clients are sent. The connection hands it whole text messages; it
// answers through its ClientLink.
#include <string_view>

#include "room/member.h"

namespace rk::session {

class ProtocolHandler {
 public:
  virtual ~ProtocolHandler() = default;

  virtual void on_text(std::string_view text) = 0;
  virtual void on_binary() = 0;
  // No successful init within --init-timeout.
  virtual void on_init_timeout() = 0;
  // The connection is closing or gone: leave the room, telling the others why.
  virtual void on_leaving(room::LeaveReason reason) = 0;
  // The room was destroyed: tell the client in this protocol, then close.
  virtual void on_room_destroyed(std::string_view key) = 0;
  // Token auth: the client's token expired (v2: without a refresh in time).
  virtual void on_token_expired() = 0;
  // The server's HTTP API removed this client from its room.
  virtual void on_kicked() = 0;
  // Cluster mode: a publication of this client's took `offset` (v2 acks it).
  virtual void on_published(std::string_view ack_id, std::uint64_t offset) = 0;
  // In a room: the init timeout no longer applies.
  virtual bool in_room() const = 0;
  virtual int version() const = 0;  // 1 or 2, for /metrics
};

}  // namespace rk::session
