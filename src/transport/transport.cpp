#include "transport/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <spdlog/spdlog.h>

namespace rk::transport {

namespace {
// Full-buffer reads per wake-up before yielding to other sockets; epoll is
// level-triggered, so whatever is left is reported again next turn.
constexpr int kReadsPerWakeup = 4;
}  // namespace

Transport::~Transport() {
  if (fd_ >= 0) ::close(fd_);
}

bool Transport::attach(TransportLoop& loop, TransportEvents& events) {
  loop_ = &loop;
  events_ = &events;
  interest_ = 0;
  update_interest();
  if (interest_ == 0 && (reading_ || waiting_writable_)) return false;
  if (outbound_head_ < outbound_.size() && !flush_requested_ && !waiting_writable_) request_flush();
  return true;
}

void Transport::detach() {
  if (!loop_) return;
  if (interest_ != 0 && fd_ >= 0) loop_->loop.remove(fd_);
  interest_ = 0;
  if (flush_requested_) loop_->forget(this);
  flush_requested_ = false;
  loop_ = nullptr;
}

void Transport::set_reading(bool reading) {
  if (reading_ == reading) return;
  reading_ = reading;
  update_interest();
}

void Transport::update_interest() {
  if (closed() || !loop_) return;
  const std::uint32_t wanted =
      (reading_ ? std::uint32_t{EPOLLIN} : 0u) | (waiting_writable_ ? std::uint32_t{EPOLLOUT} : 0u);
  if (wanted == interest_) return;
  if (interest_ == 0) {
    if (!loop_->loop.add(fd_, this, wanted)) return;  // leaves interest_ 0: attach() reports it
  } else if (wanted == 0) {
    // Paused and nothing to write: stop the level-triggered wake-ups.
    loop_->loop.remove(fd_);
  } else {
    loop_->loop.modify(fd_, this, wanted);
  }
  interest_ = wanted;
}

void Transport::on_io(std::uint32_t events) {
  if (closed()) return;
  if (events & EPOLLOUT) {
    waiting_writable_ = false;
    flush();
    if (closed()) return;
    update_interest();
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_available();
}

void Transport::read_available() {
  auto& buffer = loop_->read_buffer;
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    if (closed() || !reading_) return;
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n > 0) {
      events_->on_received(buffer.data(), static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < buffer.size()) return;  // drained for now
      continue;
    }
    if (n == 0) return events_->on_transport_closed();  // the peer closed TCP
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    spdlog::debug("recv: {}", std::strerror(errno));
    return events_->on_transport_closed();  // reset or other transport error
  }
}

void Transport::request_flush() {
  if (!loop_) return;  // between loops: attach() asks for the flush
  flush_requested_ = true;
  loop_->request_flush(this);
}

void Transport::send(FramePtr frame) {
  if (closed() || overflowed_) return;
  if (outbound_bytes_ > 0 && outbound_bytes_ + frame->size() > max_outbound_bytes_) {
    // Not acted on here: this may run inside a room's fan-out loop. The flush
    // at the end of the turn reports it; a stalled reader never becomes
    // writable, so that flush is requested even while waiting for EPOLLOUT.
    overflowed_ = true;
    if (!flush_requested_) request_flush();
    return;
  }
  send_unbounded(std::move(frame));
}

void Transport::send_unbounded(FramePtr frame) {
  if (closed()) return;
  outbound_bytes_ += frame->size();
  outbound_.push_back(std::move(frame));
  if (flush_requested_ || waiting_writable_) return;
  request_flush();
}

void Transport::discard_unsent() {
  const std::size_t keep = outbound_head_offset_ > 0 ? outbound_head_ + 1 : outbound_head_;
  for (std::size_t i = keep; i < outbound_.size(); ++i) outbound_bytes_ -= outbound_[i]->size();
  outbound_.resize(keep);
}

void Transport::flush() {
  flush_requested_ = false;
  if (closed()) return;
  if (overflowed_) {
    overflowed_ = false;
    events_->on_outbound_overflow();
    if (closed()) return;
  }
  if (waiting_writable_ || !write_queued()) return;
  finish_if_done();
}

bool Transport::write_queued() {
  while (outbound_head_ < outbound_.size()) {
    auto& iov = loop_->iov;
    iov.clear();
    for (std::size_t i = outbound_head_; i < outbound_.size() && iov.size() < IOV_MAX; ++i) {
      const OutboundFrame& frame = *outbound_[i];
      const std::size_t skip = i == outbound_head_ ? outbound_head_offset_ : 0;
      iov.push_back({const_cast<char*>(frame.data()) + skip, frame.size() - skip});
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = iov.size();
    const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        waiting_writable_ = true;  // EPOLLOUT will call flush() again
        update_interest();
        return true;
      }
      spdlog::debug("send: {}", std::strerror(errno));
      events_->on_transport_closed();
      return false;
    }
    consume_written(static_cast<std::size_t>(n));
  }
  outbound_.clear();  // keeps its capacity: no allocation on the next turn
  outbound_head_ = 0;
  return true;
}

void Transport::consume_written(std::size_t written) {
  outbound_bytes_ -= written;
  while (written > 0) {
    const std::size_t left = outbound_[outbound_head_]->size() - outbound_head_offset_;
    if (written < left) {
      outbound_head_offset_ += written;
      return;
    }
    written -= left;
    outbound_[outbound_head_++].reset();
    outbound_head_offset_ = 0;
  }
}

void Transport::shutdown_when_flushed() {
  shutdown_requested_ = true;
  finish_if_done();
}

// Shutting down only our sending side (not close()) lets the peer read all of
// it: closing a socket with unread input would send a reset instead.
void Transport::finish_if_done() {
  if (!shutdown_requested_ || send_shut_ || closed() || outbound_head_ < outbound_.size() || waiting_writable_) return;
  send_shut_ = true;
  ::shutdown(fd_, SHUT_WR);
}

void Transport::close() {
  if (closed()) return;
  if (interest_ != 0 && loop_) loop_->loop.remove(fd_);
  interest_ = 0;
  ::close(fd_);
  fd_ = -1;
  outbound_.clear();
  outbound_head_ = 0;
  outbound_head_offset_ = 0;
  outbound_bytes_ = 0;
}

sockaddr_storage Transport::peer_address() const {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (fd_ < 0 || ::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &length) != 0) peer.ss_family = AF_UNSPEC;
  return peer;
}

}  // namespace rk::transport
