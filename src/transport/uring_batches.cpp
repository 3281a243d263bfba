// TransportLoop's io_uring batches (--io uring). Each batch is queued,
// submitted and finished within the turn: a transport lives until the end
// of the turn it closed in, so every pointer held here stays valid, and a
// transport closed by the callbacks of an earlier one in the same batch is
// skipped (Transport::closed()).
#include <sys/socket.h>

#include <stdexcept>

#include "transport/transport.h"
#include "transport/transport_loop.h"

namespace rk::transport {
namespace {
// Most reads of a busy turn are a message or two; a socket with more fills
// its slot and is read on into the loop's 64 KiB buffer. 1024 slots of 4 KiB
// are 4 MiB of address space, of which a page is touched per socket read.
constexpr std::size_t kReadSlotBytes = 4096;
}  // namespace

void TransportLoop::read_batches() {
  loop::Uring& ring = *loop.uring();
  if (ring.queued() != 0) throw std::logic_error("io_uring batch already open");
  if (!read_slots_) read_slots_.reset(new char[loop::Uring::kCapacity * kReadSlotBytes]);
  std::size_t next = 0;
  while (next < readable_.size()) {
    reading_.clear();
    for (; next < readable_.size() && !ring.full(); ++next) {
      Transport* transport = readable_[next];
      if (!transport->wants_read()) continue;
      ring.recv(transport->fd(), read_slots_.get() + reading_.size() * kReadSlotBytes, kReadSlotBytes);
      reading_.push_back(transport);
    }
    ring.run();
    // In the order epoll reported them, as read_available() would have.
    for (std::size_t i = 0; i < reading_.size(); ++i)
      reading_[i]->finish_batched_read(read_slots_.get() + i * kReadSlotBytes, ring.results()[i], kReadSlotBytes);
  }
  readable_.clear();
}

void TransportLoop::flush_batches() {
  // First every overflow: closing a slow consumer runs the connection's code
  // (its room hears it leave), which may queue frames on any transport; after
  // this nothing but the batch touches the queues until it is submitted.
  for (Transport* transport : flushing_) transport->report_overflow();
  loop::Uring& ring = *loop.uring();
  if (ring.queued() != 0) throw std::logic_error("io_uring batch already open");
  std::size_t next = 0;
  while (next < flushing_.size()) {
    writes_.clear();
    batch_iov_.clear();
    std::size_t sends = 0;
    for (; next < flushing_.size() && sends < loop::Uring::kCapacity; ++next) {
      Transport* transport = flushing_[next];
      const auto begin = static_cast<std::uint32_t>(batch_iov_.size());
      const auto plan = transport->plan_write(batch_iov_);
      const auto count = static_cast<std::uint32_t>(batch_iov_.size()) - begin;
      const bool send = plan == Transport::WritePlan::kSend;
      sends += send;
      writes_.push_back({transport, begin, count, static_cast<std::uint8_t>(plan), send ? 0 : -1});
    }
    // batch_iov_ has stopped growing: the messages can point into it.
    messages_.assign(writes_.size(), msghdr{});
    for (std::size_t i = 0; i < writes_.size(); ++i) {
      Write& write = writes_[i];
      if (write.op < 0) continue;
      msghdr& message = messages_[i];
      message.msg_iov = batch_iov_.data() + write.iov_begin;
      message.msg_iovlen = write.iov_count;
      write.op = static_cast<std::int32_t>(ring.sendmsg(write.transport->fd(), &message));
    }
    ring.run();
    for (const Write& write : writes_) {
      const ssize_t result = write.op < 0 ? 0 : ring.results()[static_cast<std::size_t>(write.op)];
      write.transport->finish_write(static_cast<Transport::WritePlan>(write.plan), result);
    }
  }
}

}  // namespace rk::transport
