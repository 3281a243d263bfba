#pragma once
// Protocol v2 (docs/protocol-v2.md): member ids and presence, offsets and
// acks, history, resume after a dropped connection, last-known state, and
// errors with stable codes. Shares rooms with v1 clients through RoomSeat.
#include <string>
#include <string_view>

#include "protocol/client_message_v2.h"
#include "session/client_link.h"
#include "session/message_rate.h"
#include "session/protocol_handler.h"
#include "session/room_entry.h"
#include "session/room_seat.h"

namespace rk::session {

class ProtocolV2 final : public ProtocolHandler {
 public:
  explicit ProtocolV2(ClientLink& link);

  void on_text(std::string_view text) override;
  void on_binary() override;
  void on_init_timeout() override;
  void on_token_expired() override;
  void on_kicked() override;
  void on_leaving(room::LeaveReason reason) override { seat_.leave(reason); }
  bool in_room() const override { return seat_.room() != nullptr; }
  int version() const override { return 2; }
  void on_room_destroyed(std::string_view key) override;
  void on_published(std::string_view ack_id, std::uint64_t offset) override;

 private:
  ClientLink& link() const { return seat_.link(); }
  void on_init(protocol::v2::ClientMessage& message);
  void on_room_message(protocol::v2::ClientMessage& message);
  void on_entry(const Entry& entry);
  void send_joined(const Entry& entry);
  void on_publish(const protocol::v2::PublishCommand& command);
  void on_history(const protocol::v2::HistoryCommand& command);
  void on_presence();
  void on_destroy(const protocol::v2::DestroyCommand& command);
  void on_refresh(const protocol::v2::RefreshCommand& command);
  bool within_rate_limit();

  void reply_error(std::string_view code, std::string_view message, std::string_view id = {});
  void fail(std::string_view code, std::string_view message, ws::CloseCode close_code);

  RoomSeat seat_;  // also holds the link to the client: link()
  MessageRate rate_;
  std::optional<protocol::v2::Since> since_;  // from init, until joined
  std::string identity_;  // from init, until joined: the owner it would be (joined.owner)
};

}  // namespace rk::session
