#include "cluster/redis_link.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "redis/handshake.h"
#include "redis/resp_writer.h"

namespace rk::cluster {
namespace {

constexpr auto kPingAfter = std::chrono::seconds(1);

int connect_socket(const redis::RedisConfig& config, std::string& error) {
  if (!config.unix_socket.empty()) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (config.unix_socket.size() >= sizeof address.sun_path) {
      error = "socket path too long";
      return -1;
    }
    std::memcpy(address.sun_path, config.unix_socket.c_str(), config.unix_socket.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS &&
        errno != EAGAIN) {
      error = std::strerror(errno);
      ::close(fd);
      return -1;
    }
    return fd;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(config.port);
  if (const int rc = ::getaddrinfo(config.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    error = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

RedisLink::RedisLink(loop::EventLoop& loop, redis::RedisConfig config, std::string role, Listener& listener,
                     std::size_t shard)
    : loop_(loop), config_(std::move(config)), role_(std::move(role)), listener_(listener), shard_(shard) {}

RedisLink::~RedisLink() {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
  if (reader_) redisReaderFree(reader_);
}

void RedisLink::open() {
  if (state_ != State::kClosed) return;
  std::string error;
  fd_ = connect_socket(config_, error);
  if (fd_ < 0) {
    listener_.on_down(*this, error);
    return;
  }
  state_ = State::kConnecting;
  reader_ = redisReaderCreate();
  out_.clear();
  written_ = 0;
  unanswered_ = 0;
  subscribed_ = false;
  ping_outstanding_ = false;
  waiting_since_ = loop_.now();
  last_sent_ = loop_.now();
  watching_write_ = true;
  loop_.add(fd_, this, EPOLLIN | EPOLLOUT);
}

void RedisLink::close(std::string_view why) {
  if (state_ == State::kClosed) return;
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  redisReaderFree(reader_);
  reader_ = nullptr;
  state_ = State::kClosed;
  out_.clear();
  written_ = 0;
  unanswered_ = 0;
  listener_.on_down(*this, why);
}

void RedisLink::queued(std::size_t commands) {
  if (unanswered_ == 0) waiting_since_ = loop_.now();
  unanswered_ += commands;
}

void RedisLink::on_connected() {
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return close(std::strerror(error));
  state_ = State::kHandshake;
  // AUTH and SELECT go before anything the bus queues.
  std::string handshake;
  handshake_replies_ = redis::write_handshake(config_, handshake);
  out_.insert(0, handshake);
  if (unanswered_ == 0) waiting_since_ = loop_.now();
  unanswered_ += handshake_replies_;
  flush();
}

void RedisLink::watch(bool want_write) {
  if (want_write == watching_write_ || fd_ < 0) return;
  watching_write_ = want_write;
  loop_.modify(fd_, this, want_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

void RedisLink::flush() {
  if (fd_ < 0 || state_ == State::kConnecting) return;
  while (written_ < out_.size()) {
    const ssize_t n = ::send(fd_, out_.data() + written_, out_.size() - written_, MSG_NOSIGNAL);
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
      last_sent_ = loop_.now();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(true);
    return close(std::string("write failed: ") + std::strerror(errno));
  }
  out_.clear();
  written_ = 0;
  watch(false);
}

void RedisLink::write_ready() {
  if (state_ == State::kConnecting) return on_connected();
  flush();
}

bool RedisLink::is_answer(const redisReply* reply) const {
  if (!subscribed_ || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1) return true;
  const std::string_view kind = redis::text_of(reply->element[0]);
  return kind != "smessage" && kind != "message";
}

void RedisLink::read_ready() {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return close("Redis closed the connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return close(std::string("read failed: ") + std::strerror(errno));
    }
    redisReaderFeed(reader_, buffer, static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < sizeof buffer) break;
  }
  for (;;) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) return close("bad reply from Redis");
    if (!raw) break;
    redis::ReplyPtr reply(static_cast<redisReply*>(raw));
    const bool answer = is_answer(reply.get());
    if (answer && unanswered_ > 0) --unanswered_;
    waiting_since_ = loop_.now();
    if (answer && ping_outstanding_) {  // our own keep-alive: nothing was queued before it
      ping_outstanding_ = false;
      continue;
    }
    if (state_ == State::kHandshake) {
      if (redis::is_error(reply.get())) return close(std::string("refused: ") + std::string(redis::text_of(reply.get())));
      if (--handshake_replies_ == 0) {
        state_ = State::kUp;
        listener_.on_up(*this);
        if (state_ != State::kUp) return;  // the listener closed it (a write failed)
      }
      continue;
    }
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1) {
      const std::string_view kind = redis::text_of(reply->element[0]);
      if (kind == "ssubscribe" || kind == "subscribe") subscribed_ = true;
    }
    listener_.on_reply(*this, reply.get());
    if (state_ == State::kClosed) return;  // the listener closed it
  }
}

void RedisLink::on_io(std::uint32_t events) {
  if (state_ == State::kConnecting) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected();
    return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_ready();
  if (state_ != State::kClosed && (events & EPOLLOUT)) write_ready();
}

void RedisLink::check(loop::Clock::time_point now, loop::Clock::duration timeout) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kConnecting && now - waiting_since_ > timeout) return close("connect timed out");
  if (unanswered_ > 0 && now - waiting_since_ > timeout) return close("Redis stopped answering");
  if (state_ == State::kUp && unanswered_ == 0 && now - last_sent_ >= kPingAfter) {
    redis::RespWriter(out_).all({"PING"});
    queued(1);
    ping_outstanding_ = true;
    flush();
  }
}

}  // namespace rk::cluster
