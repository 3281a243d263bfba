#pragma once
// One simulated client of `roomkey bench`: connects, upgrades, sends its init,
// then sends and receives protocol-v1 or v2 messages. It reports what it sees to its
// BenchRun through the BenchEvents interface.
#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "loop/event_loop.h"
#include "tls/tls_stream.h"

namespace rk::bench {

class BenchEvents {
 public:
  virtual void on_open(int client) = 0;                         // upgraded, init sent
  virtual void on_key(int client, std::string key) = 0;        // v1: a creator got its room
  virtual void on_joined(int client, std::string_view json) = 0;  // v2: the joined reply
  virtual void on_joined_notice(int client) = 0;                // "... Joined!" (v2: a presence join) seen
  virtual void on_ack(int client, std::string_view json) = 0;   // v2
  virtual void on_location(int client, std::string_view json) = 0;  // a relayed Location Data
  virtual void on_error_message(int client, std::string_view json) = 0;
  virtual void on_writable(int client) = 0;  // room in the socket for more sends
  virtual void on_closed(int client, bool by_server, bool failed) = 0;

 protected:
  ~BenchEvents() = default;
};

class BenchClient final : public loop::IoHandler {
 public:
  // `tls_context` null: plain ws://. `receive_buffer` is shared by every
  // client of the run (so is `plain_buffer`, for TLS).
  BenchClient(loop::EventLoop& loop, BenchEvents& events, std::span<char> receive_buffer,
              std::span<char> plain_buffer, SSL_CTX* tls_context, int index);
  ~BenchClient();

  // Starts the TCP connect; the init goes out once the upgrade succeeds.
  // With `close_after_init`, a close frame follows the init in the same write.
  bool connect(const sockaddr_in& server, const sockaddr_in* source, std::string init_json,
               bool close_after_init = false);
  // Queues a masked text frame; with `and_close`, a close frame right after.
  // Written at once unless `more` says another frame follows in this batch.
  void send_text(std::string_view json, bool and_close = false, bool more = false);
  bool open() const { return phase_ == Phase::kOpen; }
  std::size_t unsent_bytes() const {
    return out_.size() - out_offset_ + (tls_ ? tls_->ciphertext().size() : 0);
  }
  int index() const { return index_; }
  void close();
  // The network goes away: no close frame, the socket just ends.
  void drop() { close(); }

  void on_io(std::uint32_t events) override;

 private:
  enum class Phase { kIdle, kConnecting, kUpgrading, kOpen, kClosed };
  void write_pending();
  bool send_bytes(std::string_view bytes, std::size_t& sent);  // false: the socket failed
  void read_available();
  void take_plaintext(const char* data, std::size_t size);
  void parse_frames();
  void fail();

  loop::EventLoop& loop_;
  BenchEvents& events_;
  std::span<char> receive_buffer_;
  std::span<char> plain_buffer_;
  SSL_CTX* tls_context_;
  std::unique_ptr<tls::TlsStream> tls_;
  int index_;
  int fd_ = -1;
  Phase phase_ = Phase::kIdle;
  std::uint32_t interest_ = 0;
  std::string init_json_;
  bool close_after_init_ = false;
  std::string in_;
  std::string out_;
  std::size_t out_offset_ = 0;
  bool close_sent_ = false;
};

}  // namespace rk::bench
