#include "bench/bench_client.h"

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ws/frame_parser.h"
#include "ws/frame_writer.h"

namespace rk::bench {
namespace {

constexpr std::string_view kUpgradeRequest =
    "GET / HTTP/1.1\r\nHost: roomkey-bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: cm9vbWtleS1iZW5jaC0xMg==\r\nSec-WebSocket-Version: 13\r\n\r\n";

}  // namespace

BenchClient::BenchClient(loop::EventLoop& loop, BenchEvents& events, std::span<char> receive_buffer,
                         std::span<char> plain_buffer, SSL_CTX* tls_context, int index)
    : loop_(loop),
      events_(events),
      receive_buffer_(receive_buffer),
      plain_buffer_(plain_buffer),
      tls_context_(tls_context),
      index_(index) {}

BenchClient::~BenchClient() {
  if (fd_ >= 0) {
    if (interest_) loop_.remove(fd_);
    ::close(fd_);
  }
}

bool BenchClient::connect(const sockaddr_in& server, const sockaddr_in* source, std::string init_json,
                          bool close_after_init) {
  init_json_ = std::move(init_json);
  close_after_init_ = close_after_init;
  in_.clear();  // a client may connect again after a drop
  out_.clear();
  out_offset_ = 0;
  close_sent_ = false;
  tls_.reset();
  if (tls_context_) tls_ = std::make_unique<tls::TlsStream>(tls_context_, tls::TlsStream::Role::kClient);
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  const int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (source) {
    ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0) return false;
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 && errno != EINPROGRESS)
    return false;
  phase_ = Phase::kConnecting;
  interest_ = EPOLLIN | EPOLLOUT;
  return loop_.add(fd_, this, interest_);
}

void BenchClient::send_text(std::string_view json, bool and_close, bool more) {
  if (phase_ != Phase::kOpen || close_sent_) return;
  out_ += ws::make_client_frame(ws::Opcode::kText, json, true, 0x5a17c0de);
  if (and_close) {
    out_ += ws::make_client_frame(ws::Opcode::kClose, std::string_view("\x03\xe8", 2), true, 0x5a17c0de);
    close_sent_ = true;
  }
  if (!more) write_pending();
}

void BenchClient::close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  if (interest_) loop_.remove(fd_);
  interest_ = 0;
  ::close(fd_);
  fd_ = -1;
}

void BenchClient::fail() {
  const bool was_open = phase_ == Phase::kOpen;
  close();
  events_.on_closed(index_, false, !was_open || !close_sent_);
}

// With TLS, plaintext waits in out_ until the handshake is done, then is
// encrypted whole; what goes to the socket is the stream's ciphertext.
void BenchClient::write_pending() {
  if (tls_) {
    if (tls_->handshake_done() && out_offset_ < out_.size()) {
      if (!tls_->write(std::string_view(out_).substr(out_offset_))) return fail();
      out_offset_ = out_.size();
    }
    std::size_t sent = 0;
    if (!send_bytes(tls_->ciphertext(), sent)) return fail();
    tls_->consume_ciphertext(sent);
  } else {
    std::size_t sent = 0;
    if (!send_bytes(std::string_view(out_).substr(out_offset_), sent)) return fail();
    out_offset_ += sent;
  }
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
  }
  const bool waiting = unsent_bytes() > 0;
  const std::uint32_t wanted = EPOLLIN | (waiting ? static_cast<std::uint32_t>(EPOLLOUT) : 0u);
  if (wanted != interest_ && phase_ != Phase::kClosed) {
    loop_.modify(fd_, this, wanted);
    interest_ = wanted;
  }
}

bool BenchClient::send_bytes(std::string_view bytes, std::size_t& sent) {
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void BenchClient::on_io(std::uint32_t events) {
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kConnecting) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0 || (events & (EPOLLERR | EPOLLHUP))) return fail();
    if (!(events & EPOLLOUT)) return;
    phase_ = Phase::kUpgrading;
    out_.append(kUpgradeRequest);
    write_pending();
    return;
  }
  if (events & EPOLLOUT) {
    write_pending();
    if (phase_ == Phase::kOpen && unsent_bytes() == 0) events_.on_writable(index_);
  }
  if (phase_ != Phase::kClosed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_available();
}

void BenchClient::read_available() {
  const std::size_t capacity = receive_buffer_.size();
  char* buffer = receive_buffer_.data();
  for (int i = 0; i < 4; ++i) {
    const ssize_t n = ::recv(fd_, buffer, capacity, 0);
    if (n == 0) {
      const bool expected = close_sent_;
      close();
      events_.on_closed(index_, true, !expected);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      return fail();
    }
    take_plaintext(buffer, static_cast<std::size_t>(n));
    if (phase_ == Phase::kClosed || static_cast<std::size_t>(n) < capacity) return;
  }
}

void BenchClient::take_plaintext(const char* data, std::size_t size) {
  if (!tls_) {
    in_.append(data, size);
    return parse_frames();
  }
  const bool was_done = tls_->handshake_done();
  tls_->feed(data, size);
  auto status = tls::TlsStream::Status::kOk;
  while (const std::size_t n = tls_->read(plain_buffer_, status)) in_.append(plain_buffer_.data(), n);
  if (status != tls::TlsStream::Status::kOk) return fail();
  if (!was_done || !tls_->ciphertext().empty()) write_pending();  // the upgrade request, or handshake bytes
  if (phase_ != Phase::kClosed) parse_frames();
}

void BenchClient::parse_frames() {
  std::size_t used = 0;
  if (phase_ == Phase::kUpgrading) {
    const auto end = in_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    if (in_.compare(0, 12, "HTTP/1.1 101") != 0) return fail();
    used = end + 4;
    phase_ = Phase::kOpen;
    send_text(init_json_, close_after_init_);
    if (phase_ != Phase::kOpen) return;
    events_.on_open(index_);
  }
  const ws::FrameLimits limits{1u << 30, false};
  while (used < in_.size() && phase_ == Phase::kOpen) {
    const auto r = ws::parse_frame(std::span<char>(in_.data() + used, in_.size() - used), limits);
    if (r.status == ws::ParseStatus::kNeedMore) break;
    if (r.status == ws::ParseStatus::kViolation) return fail();
    used += r.consumed;
    const std::string_view payload(r.frame.payload.data(), r.frame.payload.size());
    switch (r.frame.opcode) {
      case ws::Opcode::kText:
        if (payload.starts_with("{\"type\":\"Location Data\"")) {  // the common case, cheapest test
          events_.on_location(index_, payload);
        } else if (payload.starts_with("{\"type\":\"joined\"")) {  // first: its state may hold Location Data
          events_.on_joined(index_, payload);
        } else if (payload.find("\"Location Data\"") != std::string_view::npos) {
          events_.on_location(index_, payload);
        } else if (payload.starts_with("{\"type\":\"ack\"")) {
          events_.on_ack(index_, payload);
        } else if (payload.starts_with("{\"type\":\"presence\",\"event\":\"join\"")) {
          events_.on_joined_notice(index_);
        } else if (payload.find("\"connection_message\"") != std::string_view::npos) {
          if (payload.ends_with(" Joined!\"}")) events_.on_joined_notice(index_);
        } else if (payload.starts_with("{\"type\":\"init\",\"join\":\"")) {
          const auto start = payload.find("\"join\":\"") + 8;
          events_.on_key(index_, std::string(payload.substr(start, payload.rfind('"') - start)));
        } else if (payload.find("\"error\"") != std::string_view::npos) {
          events_.on_error_message(index_, payload);
        }
        break;
      case ws::Opcode::kPing:
        out_ += ws::make_client_frame(ws::Opcode::kPong, payload, true, 0x5a17c0de);
        write_pending();
        break;
      default:
        break;
    }
  }
  in_.erase(0, used);
}

}  // namespace rk::bench
