#pragma once
// One client connection from accept to close, wiring the layers together:
// its transport (the socket and outbound queue), the HTTP request in front of
// the upgrade, the WebSocket session, and the protocol handler, which enters
// rooms through RoomEntry. It lives on one loop; right after its init it may
// move once, transport and all, to the loop that owns its room, so that a
// room's members always share a thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loop/event_loop.h"
#include "session/client_link.h"
#include "session/connection_log.h"
#include "session/connection_set.h"
#include "session/loop_context.h"
#include "session/protocol_handler.h"
#include "session/room_entry.h"
#include "transport/transport.h"
#include "util/limit_ticket.h"
#include "ws/websocket_session.h"

namespace rk::session {

class Connection final : public ClientLink,
                         private transport::TransportEvents,
                         private ws::SessionEvents {
 public:
  // `from_trusted_proxy`: the peer is in --trusted-proxies, so the client's
  // address comes from its PROXY header or X-Forwarded-For.
  Connection(LoopContext& loop, int fd, LimitTicket admission_ticket, bool from_trusted_proxy = false,
             bool metrics_port = false);
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
  RoomEntry room_entry() override { return RoomEntry(*this); }
  ProtocolHandler& handler() const override { return *handler_; }
  const auth::Claims* claims() const override { return extras_ ? extras_->claims.get() : nullptr; }
  void set_claims(std::unique_ptr<auth::Claims> claims) override { extras().claims = std::move(claims); }
  void on_entered(std::string_view room_key, bool created) override;

  // EntryHost
  void move_to(LoopContext& owner, std::function<void()> then) override;
  void ask_store(store::StoreRequest request, std::function<void(const store::StoreRequest&)> then) override;
  std::function<void(bool)> hold(std::function<void(bool)> then) override;
  // 0 before the upgrade (or for a plain HTTP request), else 1 or 2 (1 also
  // for an upgraded connection that has sent nothing yet).
  int protocol_version() const {
    if (phase_ != Phase::kWebSocket) return 0;
    return handler_ ? handler_->version() : 1;
  }
  // The client's address: the one a trusted proxy named, else the socket's.
  sockaddr_storage peer_address() const override;

 private:
  friend class ConnectionSet;  // keeps set_index_
  friend void intrusive_ptr_add_ref(Connection* connection) noexcept;
  friend void intrusive_ptr_release(Connection* connection) noexcept;

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
  void on_proxy_source(const sockaddr_storage* client) override;
  // ws::SessionEvents
  void on_text(std::string_view text) override;
  void on_binary() override;
  void on_closing(ws::CloseCode code, bool by_peer) override;
  void on_close_handshake_done() override;
  void send_frame(FramePtr frame) override { transport_.send_unbounded(std::move(frame)); }

  void read_request(char* data, std::size_t size);
  bool accept_url_token(const http::Request& request);
  bool accept_forwarded_for(const http::Request& request);
  bool use_client_address(const sockaddr_storage& client, std::string_view& refusal);
  void answer_http(std::string response);
  void answer_http_later(const http::Request& request);
  void upgrade(std::string response, char* rest, std::size_t rest_size);
  ProtocolHandler& handler_for(std::string_view first_message);
  void arm_close_timer();
  void end(room::LeaveReason reason);

  LoopContext* loop_;
  LimitTicket admission_ticket_;
  transport::Transport transport_;
  ws::WebSocketSession ws_;
  std::unique_ptr<ProtocolHandler> handler_;
  // An HTTP request still incomplete (rare: most arrive whole), and its whole
  // size once its header told (a body is not parsed again on every read).
  struct PendingRequest {
    std::string bytes;
    std::size_t needed = 0;
  };
  // What only some connections have, behind one pointer: token claims, the
  // client's address as a trusted proxy gave it, a request split across reads.
  struct Extras {
    std::unique_ptr<auth::Claims> claims;
    std::optional<sockaddr_storage> client_address;
    std::unique_ptr<ConnectionLog> log;  // only while info lines are logged
    std::unique_ptr<PendingRequest> request;
  };
  Extras& extras() {
    if (!extras_) extras_ = std::make_unique<Extras>();
    return *extras_;
  }
  std::unique_ptr<Extras> extras_;
  void forget_request() {
    if (extras_) extras_->request.reset();
  }
  Phase phase_ = Phase::kHttp;
  bool store_request_in_flight_ = false;
  bool moving_ = false;  // between loops
  bool ping_outstanding_ = false;
  bool from_trusted_proxy_;
  bool metrics_port_;  // came to --metrics-port: plain HTTP only
  std::uint32_t set_index_ = 0;  // where its loop's ConnectionSet holds it
  // Its loop's set, a store request in flight, a handoff, the close timer:
  // they may let go on other threads (a store answer, a deferred HTTP reply).
  std::atomic<std::uint32_t> references_{0};
  loop::TimerId close_timer_ = 0;
  loop::Clock::time_point phase_started_;  // accept, then upgrade: for the handshake and init timeouts
  loop::Clock::time_point last_heard_;     // anything received
};

}  // namespace rk::session
