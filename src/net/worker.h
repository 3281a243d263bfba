#pragma once
// One event loop thread's worth of server: its loop, its share of the
// listening socket (every worker waits on the same one with EPOLLEXCLUSIVE, so
// each new connection wakes one worker), and the LoopContext its connections
// share.
#include <functional>
#include <string>

#include "config/settings.h"
#include "net/admission.h"
#include "loop/event_loop.h"
#include "session/loop_context.h"
#include "store/room_store.h"

namespace rk::net {

class Worker final : public loop::IoHandler {
 public:
  Worker(const session::SharedServices& shared, std::shared_ptr<Admission> admission);

  // Starts accepting from `listen_fd` (shared, owned by the caller).
  void accept_from(int listen_fd);
  loop::EventLoop& loop() { return loop_; }
  session::LoopContext& context() { return context_; }

  // On this worker's thread: stop accepting, close every connection with
  // 1001, call `on_all_closed` once none is left.
  void begin_shutdown(std::function<void()> on_all_closed);
  void drop_remaining_connections();

  void on_io(std::uint32_t events) override;

 private:
  void accept_ready();
  void pause_accepting();
  void refuse(int fd, std::string_view why);

  loop::EventLoop loop_;
  session::LoopContext context_;
  std::shared_ptr<Admission> admission_;
  int listen_fd_ = -1;
  bool accepting_ = false;
};

}  // namespace rk::net
