#pragma once
// What one loop lends to all its transports: the loop itself, the buffer
// every socket reads into (and, with TLS, the one it is decrypted into and
// the one a turn's frames are gathered in to be encrypted), gather-write
// scratch, and the list of transports
// to flush once at the end of this turn (many frames queued, one write).
// With --io uring it also batches: the sockets epoll reports readable are
// read with one io_uring_enter after the turn's events, and each flush round
// writes every listed socket with one more (uring_batches.cpp).
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loop/event_loop.h"

namespace rk::transport {

class Transport;

class TransportLoop {
 public:
  explicit TransportLoop(loop::EventLoop& loop);

  loop::EventLoop& loop;
  std::vector<char> read_buffer;
  std::vector<iovec> iov;
  std::vector<char> plain_buffer;  // TLS only, sized on first use
  std::string tls_gather;          // TLS only
  // Bytes on the wire (TLS records included), for /metrics; this thread only.
  std::uint64_t bytes_received = 0;
  std::uint64_t bytes_sent = 0;

  void request_flush(Transport* transport) { dirty_.push_back(transport); }
  // A transport leaving this loop (handed to another) is taken off the list.
  void forget(Transport* transport);
  // Flushing may close connections (a slow consumer) and so queue notices to
  // others: flushes until nothing is left.
  void flush_all();

  // io_uring: reads and writes go in batches.
  bool batching() { return loop.uring() != nullptr; }
  void queue_read(Transport* transport) { readable_.push_back(transport); }

 private:
  void read_batches();
  void flush_batches();

  std::vector<Transport*> dirty_;
  std::vector<Transport*> flushing_;

  // io_uring only. Each read of a batch has a slot of its own, so that every
  // result is still there when it is handed on; a socket that fills its slot
  // is read further into read_buffer.
  std::vector<Transport*> readable_;
  std::vector<Transport*> reading_;
  std::unique_ptr<char[]> read_slots_;
  struct Write {
    Transport* transport;
    std::uint32_t iov_begin;
    std::uint32_t iov_count;
    std::uint8_t plan;  // Transport::WritePlan
    std::int32_t op;     // index in the ring's batch; -1: no sendmsg
  };
  std::vector<Write> writes_;
  std::vector<iovec> batch_iov_;
  std::vector<msghdr> messages_;
};

}  // namespace rk::transport
