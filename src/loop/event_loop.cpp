#include "loop/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rk::loop {
namespace {

constexpr int kMaxEventsPerTurn = 1024;

}  // namespace

EventLoop::EventLoop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error(std::string("event loop: ") + std::strerror(errno));
  add(wake_fd_, nullptr, EPOLLIN);  // a null handler marks the wake-up eventfd
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

bool EventLoop::add(int fd, IoHandler* handler, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

void EventLoop::modify(int fd, IoHandler* handler, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = handler;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event);
}

bool EventLoop::use_uring(std::string& failure) {
  uring_ = Uring::open(failure);
  return uring_ != nullptr;
}

void EventLoop::remove(int fd) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

TimerId EventLoop::add_timer(Clock::duration delay, std::function<void()> callback) {
  const TimerId id = next_timer_id_++;
  deadlines_.push({Clock::now() + delay, id});
  timers_.emplace(id, std::move(callback));
  return id;
}

void EventLoop::cancel_timer(TimerId id) { timers_.erase(id); }

void EventLoop::post(std::function<void()> task) {
  {
    std::lock_guard lock(tasks_mutex_);
    tasks_.push_back(std::move(task));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::stop() {
  post([this] { stopping_ = true; });
}

void EventLoop::run_tasks() {
  {
    std::lock_guard lock(tasks_mutex_);
    running_tasks_.swap(tasks_);
  }
  for (auto& task : running_tasks_) task();
  running_tasks_.clear();
}

void EventLoop::run_due_timers() {
  const auto now = Clock::now();
  while (!deadlines_.empty() && deadlines_.top().when <= now) {
    const TimerId id = deadlines_.top().id;
    deadlines_.pop();
    const auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled
    auto callback = std::move(it->second);
    timers_.erase(it);
    callback();
  }
}

int EventLoop::next_timeout_ms() const {
  // Skip cancelled timers lazily: they only make the loop wake a little early.
  if (deadlines_.empty()) return -1;
  const auto wait = deadlines_.top().when - Clock::now();
  if (wait <= Clock::duration::zero()) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoop::run() {
  if (uring_) {
    std::string failure;
    if (!uring_->start(failure)) throw std::runtime_error("io_uring: " + failure);
  }
  std::vector<epoll_event> events(kMaxEventsPerTurn);
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEventsPerTurn, next_timeout_ms());
    if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    now_ = Clock::now();
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      auto* handler = static_cast<IoHandler*>(events[i].data.ptr);
      if (handler == nullptr) {
        woken = true;
        continue;
      }
      handler->on_io(events[i].events);
    }
    if (events_dispatched_) events_dispatched_();
    if (woken) {
      std::uint64_t count;
      [[maybe_unused]] const auto r = ::read(wake_fd_, &count, sizeof count);
      run_tasks();
    }
    run_due_timers();
    if (turn_end_) turn_end_();
  }
}

}  // namespace rk::loop
