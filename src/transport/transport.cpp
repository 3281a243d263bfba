#include "transport/transport.h"

#include "proxy/proxy_header.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>
#include <spdlog/spdlog.h>

namespace rk::transport {

namespace {
// Full-buffer reads per wake-up before yielding to other sockets; epoll is
// level-triggered, so whatever is left is reported again next turn.
constexpr int kReadsPerWakeup = 4;
// Frames are gathered up to one full TLS record before they are encrypted:
// fewer, fuller records, and a frame that big is encrypted where it lies.
constexpr std::size_t kRecordBytes = 16 * 1024;
}  // namespace

Transport::Transport(int fd, std::size_t max_outbound_bytes, std::unique_ptr<tls::TlsStream> tls,
                     bool expect_proxy_header)
    : fd_(fd), max_outbound_bytes_(static_cast<std::uint32_t>(max_outbound_bytes)) {
  if (!tls && !expect_proxy_header) return;
  layers_ = std::make_unique<Layers>();
  layers_->tls = std::move(tls);
  layers_->expect_proxy_header = expect_proxy_header;
}

Transport::~Transport() {
  if (fd_ >= 0) ::close(fd_);
}

bool Transport::attach(TransportLoop& loop, TransportEvents& events) {
  loop_ = &loop;
  events_ = &events;
  interest_ = 0;
  update_interest();
  if (interest_ == 0 && (reading_ || waiting_writable_)) return false;
  const bool ciphertext_waiting = tls() && !tls()->ciphertext().empty();
  if ((outbound_head_ < outbound_.size() || ciphertext_waiting) && !flush_requested_ && !waiting_writable_)
    request_flush();
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
  if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  if (loop_->batching()) return loop_->queue_read(this);  // read with the turn's other sockets
  read_available();
}

void Transport::read_available() {
  auto& buffer = loop_->read_buffer;
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    if (closed() || !reading_) return;
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (!take_read(buffer.data(), n < 0 ? -errno : n, buffer.size())) return;
  }
}

bool Transport::take_read(char* data, ssize_t result, std::size_t capacity) {
  if (result > 0) {
    loop_->bytes_received += static_cast<std::uint64_t>(result);
    std::size_t size = static_cast<std::size_t>(result);
    if (layers_ && layers_->expect_proxy_header && !take_proxy_header(data, size)) return false;
    if (size == 0) {
      // All of it was the PROXY header.
    } else if (tls()) {
      decrypt(data, size);
    } else {
      events_->on_received(data, size);
    }
    return static_cast<std::size_t>(result) == capacity;  // else drained for now
  }
  if (result == 0) {
    events_->on_transport_closed();  // the peer closed TCP
    return false;
  }
  if (result == -EINTR) return true;
  if (result == -EAGAIN || result == -EWOULDBLOCK) return false;
  spdlog::debug("recv: {}", std::strerror(static_cast<int>(-result)));
  events_->on_transport_closed();  // reset or other transport error
  return false;
}

// A trusted proxy's PROXY header comes before anything else, TLS included.
// True once it is read, with `data`/`size` narrowed to what followed it
// (still in the loop's read buffer); false while more is needed, or when
// the connection was closed for a bad header.
bool Transport::take_proxy_header(char*& data, std::size_t& size) {
  std::string& pending = layers_->proxy_pending;
  if (!pending.empty()) pending.append(data, size);
  const std::string_view input = pending.empty() ? std::string_view(data, size) : std::string_view(pending);
  const proxy::ProxyHeader header = proxy::parse_proxy_header(input);
  if (header.status == proxy::ProxyHeader::Status::kNeedMore) {
    if (pending.empty()) pending.assign(data, size);
    return false;
  }
  if (header.status == proxy::ProxyHeader::Status::kInvalid) {
    spdlog::debug("PROXY header: {}", header.error);
    events_->on_transport_closed();
    return false;
  }
  layers_->expect_proxy_header = false;
  if (pending.empty()) {
    data += header.consumed;
    size -= header.consumed;
  } else {
    // What followed the header came in this read, so it fits the buffer it
    // was read into (which `pending` copied).
    size = pending.size() - header.consumed;
    data = loop_->read_buffer.data();
    std::memcpy(data, pending.data() + header.consumed, size);
    std::string().swap(pending);
  }
  events_->on_proxy_source(header.has_source ? &header.source : nullptr);
  return !closed();
}

// Everything fed is decrypted and handed on now, as a plain read hands on
// its whole buffer: nothing waits inside the stream for a later wake-up.
void Transport::decrypt(const char* data, std::size_t size) {
  auto& plain = loop_->plain_buffer;
  if (plain.empty()) plain.resize(loop_->read_buffer.size());
  tls()->feed(data, size);
  auto status = tls::TlsStream::Status::kOk;
  while (const std::size_t n = tls()->read(plain, status)) {
    events_->on_received(plain.data(), n);
    if (closed()) return;
  }
  if (status == tls::TlsStream::Status::kOk) {
    // The handshake's answers, or a key update's.
    if (!tls()->ciphertext().empty() && !flush_requested_ && !waiting_writable_) request_flush();
    return;
  }
  if (status == tls::TlsStream::Status::kFailed) {
    spdlog::debug("TLS: {}", tls()->failure());
    const auto alert = tls()->ciphertext();  // best effort: tell the peer why
    [[maybe_unused]] const auto sent = ::send(fd_, alert.data(), alert.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  events_->on_transport_closed();
}

void Transport::request_flush() {
  if (!loop_) return;  // between loops: attach() asks for the flush
  flush_requested_ = true;
  loop_->request_flush(this);
}

void Transport::send(FramePtr frame) {
  if (closed() || overflowed_) return;
  const std::size_t queued = queued_bytes();
  if ((queued > 0 && queued + frame->size() > max_outbound_bytes_) || queued + frame->size() > UINT32_MAX) {
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
  outbound_bytes_ += static_cast<std::uint32_t>(frame->size());
  outbound_.push_back(std::move(frame));
  queued_since_release_check_ = true;
  if (flush_requested_ || waiting_writable_) return;
  request_flush();
}

void Transport::release_idle_queue() {
  if (std::exchange(queued_since_release_check_, false)) return;
  if (outbound_.empty() && outbound_.capacity() != 0) std::vector<FramePtr>().swap(outbound_);
}

void Transport::discard_unsent() {
  const std::size_t keep = outbound_head_offset_ > 0 ? outbound_head_ + 1 : outbound_head_;
  for (std::size_t i = keep; i < outbound_.size(); ++i) outbound_bytes_ -= static_cast<std::uint32_t>(outbound_[i]->size());
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
  if (tls()) {
    if (encrypt_queued()) return send_ciphertext();
    spdlog::debug("TLS: {}", tls()->failure());
    events_->on_transport_closed();
    return false;
  }
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
    loop_->bytes_sent += static_cast<std::uint64_t>(n);
    consume_written(static_cast<std::size_t>(n));
  }
  outbound_.clear();  // keeps its capacity: no allocation on the next turn
  outbound_head_ = 0;
  return true;
}

bool Transport::encrypt_queued() {
  auto& gather = loop_->tls_gather;
  gather.clear();
  bool ok = true;
  for (; outbound_head_ < outbound_.size() && ok; ++outbound_head_) {
    const OutboundFrame& frame = *outbound_[outbound_head_];
    const std::string_view bytes(frame.data(), frame.size());
    if (!gather.empty() && gather.size() + bytes.size() > kRecordBytes) {
      ok = tls()->write(gather);
      gather.clear();
    }
    if (bytes.size() >= kRecordBytes) {
      ok = ok && tls()->write(bytes);
    } else {
      gather.append(bytes);
    }
    outbound_bytes_ -= static_cast<std::uint32_t>(bytes.size());
    outbound_[outbound_head_].reset();
  }
  ok = ok && tls()->write(gather);
  outbound_.clear();
  outbound_head_ = 0;
  return ok;
}

bool Transport::send_ciphertext() {
  for (auto pending = tls()->ciphertext(); !pending.empty(); pending = tls()->ciphertext()) {
    const ssize_t n = ::send(fd_, pending.data(), pending.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        waiting_writable_ = true;
        update_interest();
        return true;
      }
      spdlog::debug("send: {}", std::strerror(errno));
      events_->on_transport_closed();
      return false;
    }
    loop_->bytes_sent += static_cast<std::uint64_t>(n);
    tls()->consume_ciphertext(static_cast<std::size_t>(n));
  }
  return true;
}

void Transport::consume_written(std::size_t written) {
  outbound_bytes_ -= static_cast<std::uint32_t>(written);
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
  ending_ = Ending::kShutdownWhenFlushed;
  finish_if_done();
}

void Transport::close_when_flushed() {
  ending_ = Ending::kCloseWhenFlushed;
  finish_if_done();
}

// Shutting down only our sending side (not close()) lets the peer read all of
// it: closing a socket with unread input would send a reset instead.
void Transport::finish_if_done() {
  if (ending_ == Ending::kNone || send_shut_ || closed() || outbound_head_ < outbound_.size() || waiting_writable_)
    return;
  if (tls() && !close_notify_sent_) {
    close_notify_sent_ = true;
    tls()->close_notify();
    if (!send_ciphertext() || waiting_writable_) return;  // EPOLLOUT's flush comes back here
  }
  if (tls() && !tls()->ciphertext().empty()) return;
  if (ending_ == Ending::kCloseWhenFlushed) return events_->on_transport_closed();
  send_shut_ = true;
  ::shutdown(fd_, SHUT_WR);
}

// No EPOLL_CTL_DEL first: closing the only descriptor of a socket takes it
// off the epoll set (a syscall less per connection).
void Transport::close() {
  if (closed()) return;
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
