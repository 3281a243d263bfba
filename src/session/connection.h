#pragma once
// One client connection from accept to close: the HTTP upgrade, WebSocket
// framing, protocol v1, room membership, and its outbound queue. It lives on
// one loop; right after its init it may move once, to the loop that owns its
// room, so that a room's members always share a thread.
//
// An idle connection holds no read buffer: reads go into the loop's shared
// buffer and only a partial frame is kept. Writes queue shared frames and go
// out as one gather write at the end of the loop turn.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loop/event_loop.h"
#include "protocol/client_message.h"
#include "room/room_registry.h"
#include "session/loop_context.h"
#include "store/room_store.h"
#include "util/limit_ticket.h"
#include "util/shared_frame.h"
#include "ws/close_code.h"
#include "ws/message_assembler.h"

namespace rk::session {

// A connection in flight between loops, after its init decided its room.
struct Handoff {
  int fd = -1;
  LimitTicket ticket;  // the connection limit's count, moving along
  std::string carry;               // bytes received after the init message
  std::vector<FramePtr> outbound;  // not yet written
  std::size_t outbound_offset = 0;
  std::string person;
  std::string room_key;
  bool create = false;  // the key is freshly made and not stored yet
};

class Connection final : public std::enable_shared_from_this<Connection>,
                         public room::RoomMember,
                         public loop::IoHandler {
 public:
  Connection(LoopContext& loop, int fd, LimitTicket admission_ticket);
  ~Connection();

  void start();
  void resume_handoff(Handoff handoff);
  void on_io(std::uint32_t events) override;
  void deliver(const FramePtr& frame) override;
  void flush();
  // Shutdown: close with 1001 (or drop a connection still in its handshake).
  void go_away();
  // Called by the loop's periodic sweep: pings a silent client, drops a dead
  // one, and closes one that is too slow to upgrade or to send its init.
  void check_liveness(loop::Clock::time_point now);
  // Shutdown deadline passed: close the socket now.
  void drop() { end(); }

 private:
  // The transport's life. Protocol progress (joined or not) is `room_`.
  enum class State {
    kHandshake,  // reading the HTTP upgrade request
    kOpen,       // WebSocket open
    kClosing,    // close frame sent or HTTP rejection queued: finishing up
    kClosed,     // socket closed (or handed to another loop)
  };

  // Reading
  void read_available();
  void take_bytes(char* data, std::size_t size);
  std::size_t consume(char* data, std::size_t size);
  std::size_t consume_handshake(std::string_view bytes);
  void on_ws_event(const ws::WsEvent& event);
  bool paused() const { return store_request_in_flight_ || handed_off_; }
  void resume();
  void update_interest();

  // Protocol v1
  void on_text(std::string_view text);
  void on_first_message(protocol::ClientMessage& message);
  void on_room_message(protocol::ClientMessage& message);
  bool within_rate_limit();
  void place(std::string key, bool create, int create_attempts);
  void hand_off(LoopContext& owner, std::string key, bool create);
  void create_room(std::string key, int attempts_left);
  void join_room(std::string key);
  void refuse_unknown_key();
  session::GuardedAddress peer_address() const;
  void enter_room(room::Room& room);
  void destroy_room();
  void leave_room();
  void send_store_request(store::StoreOp op, std::string key,
                          std::function<void(Connection&, store::StoreStatus)> then);

  // Writing and closing
  void enqueue(FramePtr frame);
  void reply_error(std::string_view message);
  void start_close(ws::CloseCode code, std::string_view reason);
  void drop_as_slow_consumer();
  void arm_close_timer();
  void finish_if_done();
  void end();

  LoopContext& loop_;
  int fd_;
  LimitTicket admission_ticket_;
  State state_ = State::kHandshake;
  std::uint32_t interest_ = 0;  // events registered with epoll
  std::string carry_;           // received bytes not yet a whole request/frame
  ws::MessageAssembler assembler_;

  std::vector<FramePtr> outbound_;
  std::size_t outbound_head_ = 0;         // first frame not fully written
  std::size_t outbound_head_offset_ = 0;  // bytes of it already written
  std::size_t outbound_bytes_ = 0;        // queued and not yet written
  bool outbound_overflowed_ = false;      // over --max-outbound-bytes: dropped at the flush
  bool flush_requested_ = false;
  bool waiting_writable_ = false;
  bool close_sent_ = false;
  bool peer_close_seen_ = false;
  bool close_socket_when_flushed_ = false;  // then shut down our side of TCP
  bool send_shut_ = false;
  bool handed_off_ = false;
  bool store_request_in_flight_ = false;
  loop::TimerId close_timer_ = 0;
  loop::Clock::time_point phase_started_;  // accept, then upgrade: for the handshake and init timeouts
  loop::Clock::time_point last_heard_;     // anything received
  bool ping_outstanding_ = false;
  double rate_tokens_ = 0;  // token bucket for --max-messages-per-second
  loop::Clock::time_point rate_refilled_;
  std::uint32_t rate_strikes_ = 0;  // messages refused in a row

  std::string person_;       // from init, never from later messages
  std::string person_json_;  // person_ as a JSON string literal, encoded once
  room::Room* room_ = nullptr;
};

}  // namespace rk::session
