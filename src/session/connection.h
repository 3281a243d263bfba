#pragma once
// One client connection from accept to close, wiring the layers together:
// its transport (the socket and outbound queue), the HTTP request in front of
// the upgrade, the WebSocket session, and the protocol handler, which enters
// rooms through RoomEntry. It lives on one loop; right after its init it may
// move once, transport and all, to the loop that owns its room, so that a
// room's members always share a thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "loop/event_loop.h"
#include "session/client_link.h"
#include "session/loop_context.h"
#include "session/protocol_handler.h"
#include "session/room_entry.h"
#include "transport/transport.h"
#include "util/limit_ticket.h"
#include "ws/websocket_session.h"

namespace rk::session {

class Connection final : public std::enable_shared_from_this<Connection>,
                         public ClientLink,
                         public EntryHost,
                         private transport::TransportEvents,
                         private ws::SessionEvents {
 public:
  Connection(LoopContext& loop, int fd, LimitTicket admission_ticket);
  ~Connection();

  void start();
  // Shutdown: close with 1001 (or drop a connection still in its handshake).
  void go_away();
  // Called by the loop's periodic sweep: pings a silent client, drops a dead
  // one, and closes one that is too slow to upgrade or to send its init.
  void check_liveness(loop::Clock::time_point now);
  // Shutdown deadline passed: close the socket now.
  void drop() { end(room::LeaveReason::kClosed); }

  // ClientLink
  void send(FramePtr frame) override;
  void close(ws::CloseCode code, std::string_view reason) override;
  void pause_reading() override;
  void resume_reading() override;
  LoopContext& loop() override { return *loop_; }
  const auth::Claims* claims() const override { return claims_.get(); }
  void set_claims(std::unique_ptr<auth::Claims> claims) override { claims_ = std::move(claims); }

  // EntryHost
  void move_to(LoopContext& owner, std::function<void()> then) override;
  void ask_store(store::StoreRequest request, std::function<void(const store::StoreRequest&)> then) override;
  sockaddr_storage peer_address() const override { return transport_.peer_address(); }

 private:
  enum class Phase : std::uint8_t {
    kHttp,       // reading the HTTP request
    kWebSocket,  // upgraded
    kAnswered,   // an HTTP answer is queued: finishing up
    kClosed,     // socket closed
  };

  // transport::TransportEvents
  void on_received(char* data, std::size_t size) override;
  void on_transport_closed() override { end(room::LeaveReason::kClosed); }
  void on_outbound_overflow() override;
  // ws::SessionEvents
  void on_text(std::string_view text) override;
  void on_binary() override;
  void on_closing(ws::CloseCode code, bool by_peer) override;
  void on_close_handshake_done() override;
  void send_frame(FramePtr frame) override { transport_.send_unbounded(std::move(frame)); }

  void read_request(char* data, std::size_t size);
  bool accept_url_token(const http::Request& request);
  void answer_http(std::string response);
  void upgrade(std::string response, char* rest, std::size_t rest_size);
  ProtocolHandler& handler_for(std::string_view first_message);
  void arm_close_timer();
  void end(room::LeaveReason reason);

  LoopContext* loop_;
  LimitTicket admission_ticket_;
  transport::Transport transport_;
  ws::WebSocketSession ws_;
  RoomEntry entry_;
  std::unique_ptr<ProtocolHandler> handler_;
  std::unique_ptr<auth::Claims> claims_;  // token auth only
  Phase phase_ = Phase::kHttp;
  bool store_request_in_flight_ = false;
  bool moving_ = false;  // between loops
  bool ping_outstanding_ = false;
  loop::TimerId close_timer_ = 0;
  loop::Clock::time_point phase_started_;  // accept, then upgrade: for the handshake and init timeouts
  loop::Clock::time_point last_heard_;     // anything received
  std::unique_ptr<std::string> request_;   // an HTTP request still incomplete (rare: most arrive whole)
};

}  // namespace rk::session
