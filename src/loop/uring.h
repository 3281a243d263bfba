#pragma once
// A loop's io_uring, used as a batch of system calls rather than as an
// asynchronous reactor: a turn queues one operation per socket (a recv for
// each socket epoll reported readable, a sendmsg for each socket with frames
// to write), submits them all with one io_uring_enter and has every result
// before run() returns. Every operation asks not to wait (MSG_DONTWAIT), so
// the kernel does it at submission or answers -EAGAIN; nothing is left in
// flight across turns, and buffers and sockets need to live no longer than
// they do with plain system calls.
//
// Why: on the project's VM most of the server's time is the kernel's TCP
// path, and each of the ~750 recv and ~750 sendmsg calls of a W1 turn paid
// its own syscall entry and exit (docs/performance.md).
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct io_uring;
struct io_uring_sqe;

namespace rk::loop {

class Uring {
 public:
  // Operations queued between two run() calls.
  static constexpr unsigned kCapacity = 1024;

  // Null, with `failure` set, when the kernel refuses (too old, a seccomp
  // filter, the io_uring_disabled sysctl). The ring stays disabled until
  // start() on the thread that will use it (the kernel then lets no other
  // thread submit, which saves it work per submission).
  static std::unique_ptr<Uring> open(std::string& failure);
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  // On the loop's thread, before the first operation. False: unusable.
  bool start(std::string& failure);

  std::size_t queued() const { return queued_; }
  bool full() const { return queued_ == kCapacity; }
  // Each returns the operation's index in this batch: its result's place.
  // The buffer (and for sendmsg the msghdr and its iovecs) must stay valid
  // until run() returns.
  std::size_t recv(int fd, void* buffer, std::size_t size);
  std::size_t sendmsg(int fd, const msghdr* message);
  // Submits the batch and waits for every result: results()[i] is
  // operation i's return value, or -errno.
  void run();
  const std::vector<std::int32_t>& results() const { return results_; }

 private:
  explicit Uring(std::unique_ptr<io_uring> ring);
  io_uring_sqe* next_sqe();

  std::unique_ptr<io_uring> ring_;
  std::size_t queued_ = 0;
  std::vector<std::int32_t> results_;
};

}  // namespace rk::loop
