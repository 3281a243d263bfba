#pragma once
// Protocol v1, the original server's: init creates or joins a room, then
// Location Data and message are relayed to the other members, destroy ends
// the room. Notices and errors are the original's texts (docs/protocol.md).
#include <string>
#include <string_view>

#include "protocol/client_message.h"
#include "room/room_registry.h"
#include "session/client_link.h"
#include "session/message_rate.h"
#include "session/protocol_handler.h"
#include "session/room_entry.h"

namespace rk::session {

class ProtocolV1 final : public ProtocolHandler, public room::RoomMember {
 public:
  ProtocolV1(ClientLink& link, RoomEntry& entry);

  void on_text(std::string_view text) override;
  void on_binary() override;
  void on_init_timeout() override;
  void on_leaving() override;
  bool in_room() const override { return room_ != nullptr; }

  void deliver(const FramePtr& frame) override;
  void room_destroyed(std::string_view key) override;

 private:
  void on_init(protocol::ClientMessage& message);
  void on_room_message(protocol::ClientMessage& message);
  void on_entry(const Entry& entry);
  bool within_rate_limit();
  void destroy_room();
  void fail(std::string_view error, ws::CloseCode code, std::string_view reason);
  void reply_error(std::string_view error);

  ClientLink& link_;
  RoomEntry& entry_;
  MessageRate rate_;
  std::string person_;       // from init, never from later messages
  std::string person_json_;  // person_ as a JSON string literal, encoded once
  room::Room* room_ = nullptr;
};

}  // namespace rk::session
