#pragma once
// The narrow interface between a protocol handler and the client it serves:
// everything a handler may do to the connection. Which transport carries the
// bytes, how WebSocket frames them and which loop runs it stay behind it.
#include <memory>
#include <string_view>

#include "auth/token_verifier.h"
#include "session/room_entry.h"
#include "util/shared_frame.h"
#include "ws/close_code.h"

namespace rk::session {

class LoopContext;
class ProtocolHandler;

// Also the connection's side of room entry (EntryHost): one interface, so a
// connection carries one virtual table pointer for both.
class ClientLink : public EntryHost {
 public:
  // Queues a complete frame for this client (nothing once closing).
  virtual void send(FramePtr frame) = 0;
  // Starts the close handshake; the handler hears on_closing().
  virtual void close(ws::CloseCode code, std::string_view reason) = 0;
  // While paused, messages after the current one wait (their order is kept).
  virtual void pause_reading() = 0;
  virtual void resume_reading() = 0;
  // The loop serving this client now (it may change once, on a handoff).
  LoopContext& loop() override = 0;
  // The handler speaking to this client (its room seat hears from the room
  // on the handler's behalf, and keeps no pointer of its own).
  virtual ProtocolHandler& handler() const = 0;
  // How this client gets into a room (create, join, destroy).
  virtual RoomEntry room_entry() = 0;
  // Token auth: the claims this client's token carries; null while auth is
  // off or no valid token was seen. The connection checks their expiry.
  virtual const auth::Claims* claims() const = 0;
  virtual void set_claims(std::unique_ptr<auth::Claims> claims) = 0;
  // The client is in a room now (for its connection's log line).
  virtual void on_entered(std::string_view /*room_key*/, bool /*created*/) {}

 protected:
  ~ClientLink() = default;
};

}  // namespace rk::session
