#pragma once
// A client's byte stream: it owns the socket, reads into the loop's shared
// buffer, and keeps the outbound queue of shared frames that goes out as one
// gather write at the end of the loop turn. With TLS, a TlsStream sits between
// the socket and the rest: reads are decrypted before they are handed on, and
// a turn's frames become records in one buffer that goes out in one send().
// A connection moving to another loop takes its transport along: detach()
// here, attach() there.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
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

 protected:
  ~TransportEvents() = default;
};

class Transport final : public loop::IoHandler {
 public:
  // `tls` null: plain TCP.
  Transport(int fd, std::size_t max_outbound_bytes, std::unique_ptr<tls::TlsStream> tls = nullptr)
      : fd_(fd), max_outbound_bytes_(max_outbound_bytes), tls_(std::move(tls)) {}
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
  // Closes the socket now; nothing more is read or written.
  void close();

  void flush();  // TransportLoop, at the end of the turn
  void on_io(std::uint32_t events) override;

  bool closed() const { return fd_ < 0; }
  bool registered() const { return interest_ != 0; }
  std::size_t queued_bytes() const { return outbound_bytes_ + (tls_ ? tls_->ciphertext().size() : 0); }
  bool secure() const { return tls_ != nullptr; }
  sockaddr_storage peer_address() const;

 private:
  void read_available();
  void decrypt(const char* data, std::size_t size);
  bool write_queued();  // false once the socket is closed
  bool encrypt_queued();
  bool send_ciphertext();  // false once the socket is closed
  void consume_written(std::size_t written);
  void request_flush();
  void update_interest();
  void finish_if_done();

  int fd_;
  std::uint32_t interest_ = 0;  // events registered with epoll
  std::size_t max_outbound_bytes_;
  TransportLoop* loop_ = nullptr;
  TransportEvents* events_ = nullptr;
  std::unique_ptr<tls::TlsStream> tls_;
  std::vector<FramePtr> outbound_;
  std::uint64_t outbound_bytes_ = 0;  // queued and not yet written
  // 32 bits: a frame is at most --max-message-bytes (64 MiB).
  std::uint32_t outbound_head_ = 0;         // first frame not fully written
  std::uint32_t outbound_head_offset_ = 0;  // bytes of it already written
  bool reading_ = true;
  bool overflowed_ = false;
  bool flush_requested_ = false;
  bool waiting_writable_ = false;
  bool shutdown_requested_ = false;
  bool send_shut_ = false;
  bool close_notify_sent_ = false;
};

}  // namespace rk::transport
