#pragma once
// One event loop thread's worth of server: its loop, its share of the
// listening socket (every worker waits on the same one with EPOLLEXCLUSIVE, so
// each new connection wakes one worker), and the LoopContext its connections
// share.
#include <functional>
#include <memory>
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
  // --metrics-port: plain HTTP connections answered by the metrics routes.
  void accept_metrics_from(int listen_fd);
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

  // Scrapes are rare and small: one loop takes them, without the limits'
  // per-address accounting (the port is meant for the operator's network).
  class MetricsAcceptor final : public loop::IoHandler {
   public:
    MetricsAcceptor(Worker& worker, int fd) : worker_(worker), fd_(fd) {}
    void on_io(std::uint32_t events) override;
    int fd() const { return fd_; }

   private:
    Worker& worker_;
    int fd_;
  };
  std::unique_ptr<MetricsAcceptor> metrics_acceptor_;
};

}  // namespace rk::net
