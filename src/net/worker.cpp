#include "net/worker.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <spdlog/spdlog.h>

#include "session/connection.h"

namespace rk::net {
namespace {
constexpr int kAcceptsPerWakeup = 64;
constexpr auto kAcceptBackoff = std::chrono::milliseconds(50);
}  // namespace

Worker::Worker(const session::SharedServices& shared, std::shared_ptr<Admission> admission)
    : context_(loop_, shared), admission_(std::move(admission)) {}

void Worker::accept_from(int listen_fd) {
  listen_fd_ = listen_fd;
  accepting_ = loop_.add(listen_fd_, this, EPOLLIN | EPOLLEXCLUSIVE);
}

void Worker::on_io(std::uint32_t) { accept_ready(); }

void Worker::accept_metrics_from(int listen_fd) {
  metrics_acceptor_ = std::make_unique<MetricsAcceptor>(*this, listen_fd);
  loop_.add(listen_fd, metrics_acceptor_.get(), EPOLLIN);
}

void Worker::MetricsAcceptor::on_io(std::uint32_t) {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
      // Out of descriptors: level-triggered, the listener would wake us at
      // once again; wait a little instead of spinning.
      worker_.loop_.remove(fd_);
      worker_.loop_.add_timer(kAcceptBackoff, [this] {
        if (!worker_.context_.shutting_down) worker_.loop_.add(fd_, this, EPOLLIN);
      });
      return;
    }
    std::string_view refusal;
    auto ticket = worker_.admission_->admit(peer, refusal, false);
    if (!ticket || worker_.context_.shutting_down) {
      ::close(fd);
      continue;
    }
    worker_.context_.adopt(fd, std::move(ticket), false, true);
  }
}

void Worker::accept_ready() {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    sockaddr_storage peer{};
    socklen_t peer_length = sizeof peer;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
      // Out of file descriptors or memory: keep serving the connections we
      // have and try again shortly, instead of spinning on the listener.
      spdlog::warn("accept: {}", std::strerror(errno));
      return pause_accepting();
    }
    std::string_view refusal;
    const bool from_trusted_proxy = context_.trusted_proxies && context_.trusted_proxies->contains(peer);
    auto ticket = admission_->admit(peer, refusal, !from_trusted_proxy);
    if (!ticket) {
      context_.counters.refuse(admission_->is_per_address(refusal) ? session::Limit::kConnectionsPerIp
                                                                    : session::Limit::kConnections);
      refuse(fd, refusal);
      continue;
    }
    context_.adopt(fd, std::move(ticket), from_trusted_proxy);
  }
}

// Over a connection limit: a one-shot HTTP answer, best effort (the socket
// is new, so its send buffer is empty), then close. A TLS port cannot answer
// before a handshake, which is exactly the work being refused: it just closes.
void Worker::refuse(int fd, std::string_view why) {
  if (context_.tls_context) {
    ::close(fd);
    spdlog::debug("refused a connection: {}", why);
    return;
  }
  std::string response = "HTTP/1.1 503 Service Unavailable\r\nServer: roomkey\r\nRetry-After: 5\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ";
  response.append(std::to_string(why.size() + 1)).append("\r\n\r\n").append(why).append("\n");
  [[maybe_unused]] const auto sent = ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  ::close(fd);
  spdlog::debug("refused a connection: {}", why);
}

void Worker::pause_accepting() {
  loop_.remove(listen_fd_);
  accepting_ = false;
  loop_.add_timer(kAcceptBackoff, [this] {
    if (!context_.shutting_down) accepting_ = loop_.add(listen_fd_, this, EPOLLIN | EPOLLEXCLUSIVE);
  });
}

void Worker::begin_shutdown(std::function<void()> on_all_closed) {
  context_.shutting_down = true;
  if (accepting_) loop_.remove(listen_fd_);
  accepting_ = false;
  if (metrics_acceptor_) loop_.remove(metrics_acceptor_->fd());
  if (context_.connection_count() == 0) return on_all_closed();
  context_.on_last_connection_gone = std::move(on_all_closed);
  context_.for_each_connection([](session::Connection& connection) { connection.go_away(); });
}

void Worker::drop_remaining_connections() {
  context_.for_each_connection([](session::Connection& connection) { connection.drop(); });
}

}  // namespace rk::net
