#include "loop/uring.h"

#include <liburing.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace rk::loop {
namespace {

// Newest first; each later set is for an older kernel. SINGLE_ISSUER and
// DEFER_TASKRUN (6.1) spare the kernel locking and wake-ups it needs only
// when several threads share a ring; R_DISABLED lets the loop's thread, not
// the one building the loop, become that single issuer.
constexpr unsigned kFlagSets[] = {
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_R_DISABLED | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_SUBMIT_ALL,
    0,
};

}  // namespace

std::unique_ptr<Uring> Uring::open(std::string& failure) {
  auto ring = std::make_unique<io_uring>();
  int error = 0;
  for (const unsigned flags : kFlagSets) {
    io_uring_params params{};
    params.flags = flags;
    error = io_uring_queue_init_params(kCapacity, ring.get(), &params);
    if (error == 0) return std::unique_ptr<Uring>(new Uring(std::move(ring)));
    if (error != -EINVAL) break;  // EPERM, ENOSYS, ENOMEM: no flags will help
  }
  failure = std::strerror(-error);
  return nullptr;
}

Uring::Uring(std::unique_ptr<io_uring> ring) : ring_(std::move(ring)) { results_.resize(kCapacity); }

Uring::~Uring() { io_uring_queue_exit(ring_.get()); }

bool Uring::start(std::string& failure) {
  if (ring_->flags & IORING_SETUP_R_DISABLED) {
    // Debian's liburing 2.3 declares io_uring_enable_rings() but does not export it.
    if (::syscall(__NR_io_uring_register, ring_->ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) < 0) {
      failure = std::strerror(errno);
      return false;
    }
  }
  // Best effort: a registered ring descriptor saves a file lookup per submission.
  io_uring_register_ring_fd(ring_.get());
  return true;
}

io_uring_sqe* Uring::next_sqe() {
  if (full()) throw std::logic_error("io_uring batch over capacity");
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  if (sqe == nullptr) throw std::logic_error("io_uring submission queue full");
  return sqe;
}

std::size_t Uring::recv(int fd, void* buffer, std::size_t size) {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_recv(sqe, fd, buffer, size, MSG_DONTWAIT);
  sqe->user_data = queued_;
  return queued_++;
}

std::size_t Uring::sendmsg(int fd, const msghdr* message) {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_sendmsg(sqe, fd, message, MSG_NOSIGNAL | MSG_DONTWAIT);
  sqe->user_data = queued_;
  return queued_++;
}

void Uring::run() {
  const unsigned expected = static_cast<unsigned>(queued_);
  queued_ = 0;
  if (expected == 0) return;
  unsigned seen = 0;
  while (seen < expected) {
    // Non-blocking operations finish during the submission; the wait is for
    // the exception (an operation the kernel hands to a worker).
    const int submitted = io_uring_submit_and_wait(ring_.get(), expected - seen);
    if (submitted < 0 && submitted != -EINTR && submitted != -EAGAIN && submitted != -EBUSY)
      throw std::runtime_error(std::string("io_uring_enter: ") + std::strerror(-submitted));
    unsigned head;
    unsigned count = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(ring_.get(), head, cqe) {
      results_[cqe->user_data] = cqe->res;
      ++count;
    }
    io_uring_cq_advance(ring_.get(), count);
    seen += count;
  }
}

}  // namespace rk::loop
