#pragma once
// The info-level lines of one connection's life: opened (at the upgrade, when
// a trusted proxy has named the client), entered a room, closed (code, who
// began it, reason, duration). Each line carries the connection's id, the
// client's address and the room key's first 6 characters, never more of a
// key, nor a token or a name. Made only while info lines are logged, so a
// server at --log-level warn spends neither memory nor time on it.
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loop/event_loop.h"
#include "room/member.h"

namespace rk::session {

class ConnectionLog {
 public:
  // Null (nothing to do) unless info lines are logged.
  // Whether info lines are logged: asked first, so an unlogged connection
  // does not pay for its address (a getpeername()).
  static bool wanted();
  static std::unique_ptr<ConnectionLog> open_if_logged(const sockaddr_storage& client, bool tls,
                                                       loop::Clock::time_point now);
  void entered(std::string_view room_key, bool created, int protocol);
  // The close handshake began: the code and who sent it first.
  void closing(std::uint16_t code, bool by_client, std::string_view reason);
  void closed(room::LeaveReason reason, loop::Clock::time_point now);

 private:
  ConnectionLog(std::uint64_t id, std::string client, loop::Clock::time_point opened)
      : id_(id), client_(std::move(client)), opened_(opened) {}

  std::uint64_t id_;
  std::string client_;
  loop::Clock::time_point opened_;
  std::string room_prefix_;
  std::uint16_t close_code_ = 0;  // 0: no close handshake (the TCP connection ended first)
  bool closed_by_client_ = false;
  std::string close_reason_;
};

}  // namespace rk::session
