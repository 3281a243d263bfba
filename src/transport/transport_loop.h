#pragma once
// What one loop lends to all its transports: the loop itself, the buffer
// every socket reads into (and, with TLS, the one it is decrypted into and
// the one a turn's frames are gathered in to be encrypted), gather-write
// scratch, and the list of transports
// to flush once at the end of this turn (many frames queued, one write).
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "loop/event_loop.h"

namespace rk::transport {

class Transport;

class TransportLoop {
 public:
  explicit TransportLoop(loop::EventLoop& loop) : loop(loop), read_buffer(64 * 1024) {}

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

 private:
  std::vector<Transport*> dirty_;
  std::vector<Transport*> flushing_;
};

}  // namespace rk::transport
