#pragma once
// A client's byte stream: it owns the socket, reads into the loop's shared
// buffer, and keeps the outbound queue of shared frames that goes out as one
// gather write at the end of the loop turn. With TLS, a TlsStream sits between
// the socket and the rest: reads are decrypted before they are handed on, and
// a turn's frames become records in one buffer that goes out in one send().
// A connection moving to another loop takes its transport along: detach()
// here, attach() there.
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loop/event_loop.h"
#include "tls/tls_stream.h"
#include "transport/transport_loop.h"
#include "util/shared_frame.h"

namespace rk::transport {

class TransportEvents {
 public:
  virtual void on_received(char* data, std::size_t size) = 0;
  // The peer closed TCP or the socket failed: the connection is over.
  virtual void on_transport_closed() = 0;
  // The queue passed its bound (see send()); called at the flush, outside any
  // fan-out loop.
  virtual void on_outbound_overflow() = 0;
  // A trusted proxy's PROXY header named the client (null: it named nobody,
  // e.g. its own health check). Comes before any on_received().
  virtual void on_proxy_source(const sockaddr_storage* client) = 0;

 protected:
  ~TransportEvents() = default;
};

class Transport final : public loop::IoHandler {
 public:
  // `tls` null: plain TCP. `expect_proxy_header`: the peer is a trusted
  // proxy that starts with a PROXY header (--proxy-protocol).
  Transport(int fd, std::size_t max_outbound_bytes, std::unique_ptr<tls::TlsStream> tls = nullptr,
            bool expect_proxy_header = false);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Registers with the loop for reading. False if the loop refused the socket.
  bool attach(TransportLoop& loop, TransportEvents& events);
  // Off this loop's epoll set and flush list; the socket stays open.
  void detach();
  void set_reading(bool reading);

  // Queues a frame for the end of the turn. Bounded: a frame that would take
  // a non-empty queue past max_outbound_bytes is refused and the queue marked
  // overflowed (an empty queue takes any frame, so a message bigger than the
  // bound still reaches a client that reads).
  void send(FramePtr frame);
  // Queues a frame whatever the bound (a close frame after an overflow).
  void send_unbounded(FramePtr frame);
  // Drops queued frames, except one already partly written (the stream must
  // stay whole for a close frame to follow).
  void discard_unsent();
  // After the queue drains, shut down our sending side: the peer reads
  // everything, then its FIN (or a timeout) ends the connection.
  void shutdown_when_flushed();
  // After the queue drains, the connection is over (on_transport_closed()):
  // for a finished close handshake, when nothing the peer sends matters any
  // more. Closing at once saves the shutdown, the wait for the peer's FIN
  // and its wake-up, and leaves the wait in TIME_WAIT to the server, as
  // RFC 6455 (7.1.1) asks.
  void close_when_flushed();
  // Closes the socket now; nothing more is read or written.
  void close();

  // Reads what arrived before the loop knew the socket: a connection is
  // accepted once its first bytes are in (TCP_DEFER_ACCEPT), so they are read
  // now rather than after another epoll_wait.
  void read_now() { read_available(); }
  void flush();  // TransportLoop, at the end of the turn
  // For the loop's liveness sweep, a few times a second: a transport that
  // queued nothing since the last call frees its queue's memory, so an idle
  // connection holds no outbound buffer, while a busy one keeps the
  // capacity it reuses turn after turn (no allocation per delivery).
  void release_idle_queue();
  void on_io(std::uint32_t events) override;

  // With io_uring (transport_batch.cpp), TransportLoop does a turn's reads
  // and writes as batches, and each transport takes part in three steps.
  // Reading: wants_read(), then the recv's result into `data`.
  bool wants_read() const { return !closed() && reading_; }
  void read_available();
  void finish_batched_read(char* data, ssize_t result, std::size_t capacity);
  // Writing: first report_overflow() for every transport of the batch (it
  // runs the connection's code, which may queue frames anywhere), then
  // plan_write() (no callbacks: what it adds to `iov` stays valid until
  // the batch is submitted), then finish_write() with the sendmsg's result.
  enum class WritePlan : std::uint8_t { kSkip, kNothing, kSend, kFailed };
  void report_overflow();
  WritePlan plan_write(std::vector<iovec>& iov);
  void finish_write(WritePlan plan, ssize_t result);
  int fd() const { return fd_; }

  bool closed() const { return fd_ < 0; }
  bool registered() const { return interest_ != 0; }
  std::size_t queued_bytes() const { return outbound_bytes_ + (tls() ? tls()->ciphertext().size() : 0); }
  sockaddr_storage peer_address() const;

 private:
  // Hands on what one recv returned (`result`: its return value or -errno).
  // True if it filled `capacity`: there may be more to read now.
  bool take_read(char* data, ssize_t result, std::size_t capacity);
  bool take_proxy_header(char*& data, std::size_t& size);
  void decrypt(const char* data, std::size_t size);
  tls::TlsStream* tls() const { return layers_ ? layers_->tls.get() : nullptr; }
  bool write_queued();  // false once the socket is closed
  bool encrypt_queued();
  bool send_ciphertext();  // false once the socket is closed
  void consume_written(std::size_t written);
  void request_flush();
  void update_interest();
  void finish_if_done();

  // Every connection holds one: packed without holes. 32 bits count the
  // queue: the bound is at most 1 GiB (--max-outbound-bytes), a queue passes
  // it by one frame at most, and send() refuses a frame that would not fit.
  int fd_;
  std::uint32_t interest_ = 0;  // events registered with epoll
  std::uint32_t max_outbound_bytes_;
  std::uint32_t outbound_bytes_ = 0;        // queued and not yet written
  std::uint32_t outbound_head_ = 0;         // first frame not fully written
  std::uint32_t outbound_head_offset_ = 0;  // bytes of it already written
  TransportLoop* loop_ = nullptr;
  TransportEvents* events_ = nullptr;
  // What only some connections need, behind one pointer: the TLS stream,
  // and a PROXY header still to be read.
  struct Layers {
    std::unique_ptr<tls::TlsStream> tls;
    std::string proxy_pending;  // the start of a PROXY header split across reads
    bool expect_proxy_header = false;
  };
  std::unique_ptr<Layers> layers_;
  std::vector<FramePtr> outbound_;
  bool reading_ = true;
  bool overflowed_ = false;
  bool flush_requested_ = false;
  bool waiting_writable_ = false;
  enum class Ending : std::uint8_t { kNone, kShutdownWhenFlushed, kCloseWhenFlushed };
  Ending ending_ = Ending::kNone;
  bool send_shut_ = false;
  bool close_notify_sent_ = false;
  bool queued_since_release_check_ = false;
};

}  // namespace rk::transport
