#pragma once
// One client connection from accept to close: the HTTP upgrade, WebSocket
// framing, protocol v1, room membership, and its outbound queue. All of it
// runs on the loop that accepted it.
//
// Reads are reactor-style (wait for readable, then read into the loop's shared
// buffer), so an idle connection holds no read buffer. Writes queue shared
// frames and go out as one gather write per loop turn.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/client_message.h"
#include "room/room_registry.h"
#include "session/loop_context.h"
#include "store/room_store.h"
#include "util/shared_frame.h"
#include "ws/close_code.h"
#include "ws/message_assembler.h"

namespace rk::session {

class Connection final : public std::enable_shared_from_this<Connection>, public room::RoomMember {
 public:
  Connection(LoopContext& loop, boost::asio::ip::tcp::socket socket);
  ~Connection();

  void start();
  void deliver(const FramePtr& frame) override;
  // Shutdown: close with 1001 (or drop a connection still in its handshake).
  void go_away();
  // Shutdown deadline passed: close the socket now.
  void drop() { end(); }
  // Called by the loop once per turn when this connection has frames queued.
  void flush();

 private:
  // The transport's life. Protocol progress (joined or not) is `room_`.
  enum class State {
    kHandshake,  // reading the HTTP upgrade request
    kOpen,       // WebSocket open
    kClosing,    // close frame sent or HTTP rejection queued: finishing up
    kClosed,     // socket closed; waiting for pending handlers to let go
  };

  // Reading
  void read_available();
  void wait_readable();
  void take_bytes(char* data, std::size_t size);
  std::size_t consume(char* data, std::size_t size);
  std::size_t consume_handshake(std::string_view bytes);
  void on_ws_event(const ws::WsEvent& event);
  bool paused() const { return store_request_in_flight_; }
  void resume();

  // Protocol v1
  void on_text(std::string_view text);
  void on_first_message(protocol::ClientMessage& message);
  void on_room_message(protocol::ClientMessage& message);
  void create_room(int attempts_left);
  void join_room(std::string key);
  void enter_room(room::Room& room);
  void destroy_room();
  void leave_room();
  void send_store_request(store::StoreOp op, std::string key,
                          std::function<void(Connection&, store::StoreStatus)> then);

  // Writing and closing
  void enqueue(FramePtr frame);
  void reply_error(std::string_view message);
  void start_close(ws::CloseCode code, std::string_view reason);
  void wait_writable();
  void arm_close_timer();
  void finish_if_done();
  void end();

  LoopContext& loop_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::kHandshake;
  std::string carry_;  // received bytes not yet a whole request/frame
  ws::MessageAssembler assembler_;

  std::vector<FramePtr> outbound_;
  std::size_t outbound_head_ = 0;         // first frame not fully written
  std::size_t outbound_head_offset_ = 0;  // bytes of it already written
  bool flush_requested_ = false;
  bool waiting_writable_ = false;
  bool close_sent_ = false;
  bool peer_close_seen_ = false;
  bool close_socket_when_flushed_ = false;  // then shut down our side of TCP
  bool send_shut_ = false;
  std::unique_ptr<boost::asio::steady_timer> close_timer_;

  bool store_request_in_flight_ = false;
  std::string person_;       // from init, never from later messages
  std::string person_json_;  // person_ as a JSON string literal, encoded once
  room::Room* room_ = nullptr;
};

}  // namespace rk::session
