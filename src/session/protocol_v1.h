#pragma once
// Protocol v1, the original server's: init creates or joins a room, then
// Location Data and message are relayed to the other members, destroy ends
// the room. Notices and errors are the original's texts (docs/protocol.md).
#include <string>
#include <string_view>

#include "protocol/client_message.h"
#include "session/client_link.h"
#include "session/message_rate.h"
#include "session/protocol_handler.h"
#include "session/room_entry.h"
#include "session/room_seat.h"

namespace rk::session {

class ProtocolV1 final : public ProtocolHandler {
 public:
  explicit ProtocolV1(ClientLink& link);

  void on_text(std::string_view text) override;
  void on_binary() override;
  void on_init_timeout() override;
  void on_token_expired() override;
  void on_kicked() override;
  void on_leaving(room::LeaveReason reason) override { seat_.leave(reason); }
  bool in_room() const override { return seat_.room() != nullptr; }
  int version() const override { return 1; }
  void on_room_destroyed(std::string_view key) override;
  void on_published(std::string_view, std::uint64_t) override {}  // v1 has no acks

 private:
  ClientLink& link() const { return seat_.link(); }
  void on_init(protocol::ClientMessage& message);
  void on_room_message(protocol::ClientMessage& message);
  void on_entry(const Entry& entry);
  bool within_rate_limit();
  void destroy_room();

  void fail(std::string_view error, ws::CloseCode code, std::string_view reason);
  void reply_error(std::string_view error);

  RoomSeat seat_;  // also holds the link to the client: link()
  MessageRate rate_;
};

}  // namespace rk::session
