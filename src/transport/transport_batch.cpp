// Transport's part in TransportLoop's io_uring batches (transport_loop.h):
// the same steps as read_available() and flush(), split where the system
// call was, so that one io_uring_enter does the turn's calls for every
// socket. What a batch leaves unfinished (a full read buffer, a partial
// write) goes on with plain system calls, exactly as without io_uring.
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <spdlog/spdlog.h>

#include "transport/transport.h"

namespace rk::transport {

void Transport::finish_batched_read(char* data, ssize_t result, std::size_t capacity) {
  // An earlier socket's messages may have closed this one meanwhile; the
  // bytes read are then dropped with it, as if the recv had come after.
  if (closed()) return;
  if (take_read(data, result, capacity)) read_available();
}

void Transport::report_overflow() {
  if (closed() || !overflowed_) return;
  overflowed_ = false;
  events_->on_outbound_overflow();
}

Transport::WritePlan Transport::plan_write(std::vector<iovec>& iov) {
  flush_requested_ = false;
  if (closed()) return WritePlan::kSkip;
  if (overflowed_) {
    // Marked by the callbacks of an earlier part of this flush, after
    // report_overflow(): the next flush round reports it.
    request_flush();
    return WritePlan::kSkip;
  }
  if (waiting_writable_) return WritePlan::kSkip;  // EPOLLOUT's flush() comes later
  if (tls()) {
    if (!encrypt_queued()) return WritePlan::kFailed;
    const auto ciphertext = tls()->ciphertext();
    if (ciphertext.empty()) return WritePlan::kNothing;
    iov.push_back({const_cast<char*>(ciphertext.data()), ciphertext.size()});
    return WritePlan::kSend;
  }
  if (outbound_head_ == outbound_.size()) {
    outbound_.clear();
    outbound_head_ = 0;
    return WritePlan::kNothing;
  }
  const std::size_t end = std::min<std::size_t>(outbound_.size(), outbound_head_ + IOV_MAX);
  for (std::size_t i = outbound_head_; i < end; ++i) {
    const OutboundFrame& frame = *outbound_[i];
    const std::size_t skip = i == outbound_head_ ? outbound_head_offset_ : 0;
    iov.push_back({const_cast<char*>(frame.data()) + skip, frame.size() - skip});
  }
  return WritePlan::kSend;
}

void Transport::finish_write(WritePlan plan, ssize_t result) {
  if (closed()) return;  // an earlier socket's callbacks closed this one
  switch (plan) {
    case WritePlan::kSkip:
      return;
    case WritePlan::kFailed:
      spdlog::debug("TLS: {}", tls()->failure());
      return events_->on_transport_closed();
    case WritePlan::kNothing:
      return finish_if_done();
    case WritePlan::kSend:
      break;
  }
  if (result == -EAGAIN || result == -EWOULDBLOCK) {
    waiting_writable_ = true;  // EPOLLOUT will call flush() again
    return update_interest();
  }
  if (result < 0 && result != -EINTR) {
    spdlog::debug("send: {}", std::strerror(static_cast<int>(-result)));
    return events_->on_transport_closed();
  }
  if (result > 0) {
    loop_->bytes_sent += static_cast<std::uint64_t>(result);
    if (tls()) {
      tls()->consume_ciphertext(static_cast<std::size_t>(result));
    } else {
      consume_written(static_cast<std::size_t>(result));
    }
  }
  // Usually nothing is left and this makes no system call. A partial write,
  // frames past IOV_MAX or frames queued by the callbacks of sockets earlier
  // in this batch go out (or wait for EPOLLOUT) as in flush().
  if (write_queued()) finish_if_done();
}

}  // namespace rk::transport
