#pragma once
// One thread's event loop: level-triggered epoll, timers, a thread-safe task
// queue, and an end-of-turn hook.
//
// Written for the fan-out path rather than taken from Asio: Asio's reactor
// re-arms a descriptor with an epoll_ctl() syscall and takes a mutex for every
// wait, and hands out at most 128 events per epoll_wait(). Measured on W1 that
// was one epoll_ctl per read. Here a socket stays registered for reading, a
// turn takes up to 1024 events, and everything those events queued is written
// at the end of the turn: more frames per sendmsg, fewer syscalls per message.
#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "loop/uring.h"

namespace rk::loop {

class IoHandler {
 public:
  virtual void on_io(std::uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

using Clock = std::chrono::steady_clock;
using TimerId = std::uint64_t;

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Loop thread only.
  // The time this turn started: cheap, and the same for every event of a turn.
  Clock::time_point now() const { return now_; }
  bool add(int fd, IoHandler* handler, std::uint32_t events);
  void modify(int fd, IoHandler* handler, std::uint32_t events);
  void remove(int fd);
  TimerId add_timer(Clock::duration delay, std::function<void()> callback);
  void cancel_timer(TimerId id);
  // Runs after every turn's events and tasks: where queued writes go out and
  // closed connections are freed.
  void on_turn_end(std::function<void()> hook) { turn_end_ = std::move(hook); }
  // Runs after each turn's events are dispatched, before its tasks: with
  // io_uring, where the reads those events asked for are done in one batch.
  void on_events_dispatched(std::function<void()> hook) { events_dispatched_ = std::move(hook); }

  // --io uring: the ring that batches this loop's socket reads and writes
  // (null: plain system calls). Readiness still comes from epoll_wait.
  // False, with `failure` set, when the kernel refuses io_uring.
  bool use_uring(std::string& failure);
  void drop_uring() { uring_.reset(); }
  Uring* uring() { return uring_.get(); }

  // Any thread.
  void post(std::function<void()> task);
  void stop();

  // Runs until stop().
  void run();

 private:
  void run_tasks();
  void run_due_timers();
  int next_timeout_ms() const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: post() and stop() wake epoll_wait
  bool stopping_ = false;
  Clock::time_point now_ = Clock::now();
  std::function<void()> turn_end_;
  std::function<void()> events_dispatched_;
  std::unique_ptr<Uring> uring_;

  std::mutex tasks_mutex_;  // only cross-thread tasks: store replies, handoffs
  std::vector<std::function<void()>> tasks_;
  std::vector<std::function<void()>> running_tasks_;

  struct Deadline {
    Clock::time_point when;
    TimerId id;
    bool operator>(const Deadline& other) const { return when > other.when; }
  };
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::unordered_map<TimerId, std::function<void()>> timers_;
  TimerId next_timer_id_ = 1;
};

}  // namespace rk::loop
