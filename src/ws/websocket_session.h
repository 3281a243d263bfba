#pragma once
// One WebSocket connection after the upgrade, without I/O: it takes the bytes
// the socket received, parses and assembles frames, answers pings, runs the
// close handshake, and reports messages upward. Frames it must send (pongs,
// close frames) go back through the same interface. The server, the unit tests and the frame
// fuzzer all drive this same code.
//
// Only a partial frame is ever copied (`carry_`): an idle session holds no
// read buffer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/lazy_string.h"
#include "util/shared_frame.h"
#include "ws/close_code.h"
#include "ws/message_assembler.h"

namespace rk::ws {

class SessionEvents {
 public:
  virtual void on_text(std::string_view text) = 0;  // one whole, valid UTF-8 message
  virtual void on_binary() = 0;
  // Our close frame is queued (for any reason): no more messages either way.
  // `by_peer`: it answers the peer's close; else we close with `code`.
  virtual void on_closing(CloseCode code, bool by_peer) = 0;
  // The peer's close frame arrived (ours is queued too): once everything is
  // written, the connection may shut down.
  virtual void on_close_handshake_done() = 0;
  // A frame of the session's own (a pong, a close) to send.
  virtual void send_frame(FramePtr frame) = 0;

 protected:
  ~SessionEvents() = default;
};

class WebSocketSession {
 public:
  WebSocketSession(std::size_t max_message_bytes, SessionEvents& events)
      : assembler_(max_message_bytes), events_(events) {}

  // Bytes as the socket delivered them; may be modified (unmasked in place).
  void receive(char* data, std::size_t size);
  // Stops reporting messages (the rest waits in carry_) until resume().
  void pause() { paused_ = true; }
  void resume();
  bool paused() const { return paused_; }

  // Queues a close frame, unless one is already queued. False if it was.
  bool close(CloseCode code, std::string_view reason) { return send_close(code, reason, false); }
  // Nothing more is read: the connection is going away without a handshake.
  void abandon();

  bool open() const { return !close_sent_; }  // messages may still go out
  bool close_sent() const { return close_sent_; }
  bool peer_closed() const { return peer_close_seen_; }
  // Whether anything received is still waiting (a paused session, a partial frame).
  bool has_carry() const { return !carry_.empty(); }

 private:
  bool send_close(CloseCode code, std::string_view reason, bool by_peer);
  std::size_t consume(char* data, std::size_t size);
  void on_frame_event(const WsEvent& event);
  bool reading() const { return !paused_ && !input_done_; }

  MessageAssembler assembler_;
  SessionEvents& events_;
  LazyString carry_;  // received bytes not yet a whole frame (or not yet read: paused)
  bool paused_ = false;
  bool close_sent_ = false;
  bool peer_close_seen_ = false;
  bool input_done_ = false;  // after the peer's close nothing it sends matters
};

}  // namespace rk::ws
