#include "connect/connect_session.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <memory>
#include <optional>

#include "connect/event_text.h"
#include "connect/stdin_lines.h"

namespace rk::connect {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kConnectTimeout = 10s;  // resolve to upgrade, TLS included
constexpr auto kAnswerWait = 5s;       // leaving: for the answers to what was sent
constexpr auto kCloseWait = 5s;        // our close frame to the server's answer
constexpr auto kIdleTimeout = 60s;     // silence (pinged at half) before the connection counts as dead

// Events on stdout, flushed line by line (a script reading a pipe sees each
// at once); diagnostics on stderr.
struct Output {
  bool event(const std::string& line) {
    return std::fwrite(line.data(), 1, line.size(), stdout) == line.size() && std::fputc('\n', stdout) != EOF &&
           std::fflush(stdout) == 0;
  }
  // Notes may quote the server (an error, a close reason): escaped like events.
  void note(const std::string& text) {
    const std::string line = printable(text);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
};

// Why a TLS handshake failed, in words: OpenSSL's verdict on the certificate
// when that was the reason.
std::string tls_failure(SSL* ssl, const beast::error_code& error, bool own_ca) {
  const long verdict = SSL_get_verify_result(ssl);
  if (verdict == X509_V_OK) return error.message();
  std::string out = std::string("the server's certificate was refused: ") + X509_verify_cert_error_string(verdict);
  if (verdict != X509_V_ERR_HOSTNAME_MISMATCH && verdict != X509_V_ERR_IP_ADDRESS_MISMATCH && !own_ca)
    out += " (--ca FILE trusts a private CA or a self-signed certificate)";
  return out;
}

std::string close_description(const websocket::close_reason& reason) {
  std::string out = std::to_string(reason.code);
  if (!reason.reason.empty()) out += " \"" + std::string(reason.reason.data(), reason.reason.size()) + "\"";
  return out;
}

template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
  using Next = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  template <typename... Args>
  Session(net::io_context& io, const SessionOptions& options, ClientCore& core, Args&&... next_args)
      : io_(io),
        options_(options),
        core_(core),
        resolver_(io),
        ws_(std::forward<Args>(next_args)...),
        signals_(io, SIGINT, SIGTERM, SIGHUP),  // SIGHUP: the terminal went away
        answer_timer_(io),
        close_timer_(io) {}

  void start() {
    signals_.async_wait([self = this->shared_from_this()](const beast::error_code& error, int) {
      if (!error) self->on_signal();
    });
    beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
    resolver_.async_resolve(
        options_.url.host, options_.url.port_text(),
        [self = this->shared_from_this()](const beast::error_code& error, tcp::resolver::results_type results) {
          self->on_resolved(error, std::move(results));
        });
  }

  int exit_code() const { return exit_code_; }

 private:
  struct Outgoing {
    std::string text;
    bool from_line = false;  // a typed line: StdinLines may read one more once it is sent
  };

  std::string where() const { return options_.url.host + ":" + options_.url.port_text(); }

  void on_resolved(const beast::error_code& error, tcp::resolver::results_type results) {
    if (done_) return;
    if (error) return finish(kExitFailed, "cannot resolve " + options_.url.host + ": " + error.message());
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = this->shared_from_this()](const beast::error_code& error, const tcp::endpoint&) {
          self->on_connected(error);
        });
  }

  void on_connected(const beast::error_code& error) {
    if (done_) return;
    if (error) return finish(kExitFailed, "cannot connect to " + where() + ": " + error.message());
    if constexpr (kTls) {
      SSL* ssl = ws_.next_layer().native_handle();
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      const std::string& host = options_.url.host;
      // OpenSSL's own name check, so that a mismatch is reported as one.
      if (options_.url.host_is_address) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
      } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
        SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI: names only, never addresses
      }
      ws_.next_layer().async_handshake(
          ssl::stream_base::client,
          [self = this->shared_from_this()](const beast::error_code& error) { self->on_tls_handshake(error); });
    } else {
      upgrade();
    }
  }

  void on_tls_handshake(const beast::error_code& error) {
    if (done_) return;
    if constexpr (kTls) {
      if (error)
        return finish(kExitFailed, "TLS with " + where() + " failed: " +
                                       tls_failure(ws_.next_layer().native_handle(), error, !options_.ca_file.empty()));
    }
    upgrade();
  }

  void upgrade() {
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& request) { request.set(beast::http::field::user_agent, "roomkey-connect"); }));
    ws_.async_handshake(
        response_, options_.url.host_header, options_.url.target,
        [self = this->shared_from_this()](const beast::error_code& error) { self->on_upgraded(error); });
  }

  void on_upgraded(const beast::error_code& error) {
    if (done_) return;
    if (error == websocket::error::upgrade_declined) {
      std::string why = "the server refused the WebSocket upgrade: HTTP " + std::to_string(response_.result_int());
      if (!response_.reason().empty()) why += " " + std::string(response_.reason());
      return finish(kExitFailed, why);
    }
    if (error) {
      std::string why = "the WebSocket upgrade with " + where() + " failed: " + error.message();
      if (!kTls && error == beast::http::error::end_of_stream) why += " (a wss:// server?)";
      return finish(kExitFailed, why);
    }
    // From here the WebSocket's own timeouts apply, not the connect deadline.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = kCloseWait;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.text(true);
    open_ = true;
    apply(core_.start(), false);
    if (core_.needs_join_check()) check_v1_join();
    announce_entry();
    if (options_.read_stdin) {
      stdin_.start([self = this->shared_from_this()](std::optional<InputLine> line) {
        net::post(self->io_, [self, line = std::move(line)]() mutable { self->on_input(std::move(line)); });
      });
    }
    read();
  }

  void check_v1_join() {
    static constexpr std::string_view kPayload = "roomkey-connect: joined?";
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
      // Runs inside a read, which goes on: the reaction comes after it.
      if (kind == websocket::frame_type::pong && payload == kPayload)
        net::post(io_, [self = this->shared_from_this()] { self->on_join_confirmed(); });
    });
    ws_.async_ping(websocket::ping_data(kPayload.data(), kPayload.size()),
                   [self = this->shared_from_this()](const beast::error_code&) {});
  }

  void on_join_confirmed() {
    if (done_) return;
    ws_.control_callback();
    apply(core_.on_join_confirmed(), false);
    announce_entry();
    pump_lines();
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](const beast::error_code& error, std::size_t) {
      self->on_read(error);
    });
  }

  void on_read(const beast::error_code& error) {
    if (done_) return;
    if (error) return on_read_failed(error);
    if (!ws_.got_text()) {
      output_.note("a binary message (" + std::to_string(buffer_.size()) + " bytes) was ignored");
    } else {
      const auto data = buffer_.cdata();
      apply(core_.on_frame(std::string_view(static_cast<const char*>(data.data()), data.size())), false);
    }
    buffer_.consume(buffer_.size());
    announce_entry();
    pump_lines();
    if (leaving_ && core_.awaiting_answers() == 0) request_close();
    if (!done_) read();
  }

  void on_read_failed(const beast::error_code& error) {
    if (close_sent_) return;  // our close is under way: on_closed() ends it
    if (error == websocket::error::closed) {
      const websocket::close_reason& reason = ws_.reason();
      if (reason.code == websocket::close_code::normal && core_.destroyed()) return finish(kExitClean, {});
      const std::string closed = "the server closed the connection with " + close_description(reason);
      return finish(kExitFailed, core_.last_error().empty() ? closed : core_.last_error() + " (" + closed + ")");
    }
    if (close_requested_)
      return finish(kExitClean, "the connection ended before the close handshake: " + error.message());
    if (error == beast::error::timeout)
      return finish(kExitFailed,
                    "connection lost: the server did not answer for " + std::to_string(kIdleTimeout.count()) + " s");
    finish(kExitFailed, "connection lost: " + error.message());
  }

  void announce_entry() {
    if (announced_ || !core_.entered()) return;
    announced_ = true;
    if (!options_.interactive) return;
    output_.note("type a message and press Enter to send it; /help lists the commands; /quit or Ctrl-D leaves");
    if (!core_.key().empty())
      output_.note("others join with: roomkey connect " + options_.url_text + " --join " + core_.key());
  }

  void on_input(std::optional<InputLine> line) {
    if (done_) return;
    if (!line) {
      input_ended_ = true;
    } else {
      waiting_lines_.push_back(std::move(*line));
    }
    pump_lines();
  }

  // Typed lines wait until the room is entered (a /destroy needs its key);
  // after the last one, the end of input leaves.
  void pump_lines() {
    while (!done_ && !leaving_ && core_.entered() && !waiting_lines_.empty()) {
      InputLine line = std::move(waiting_lines_.front());
      waiting_lines_.pop_front();
      if (line.too_long) {
        output_.note("a line longer than 1 MiB was skipped");
        stdin_.handled();
        continue;
      }
      apply(core_.on_line(line.text), true);
    }
    if (input_ended_ && waiting_lines_.empty() && core_.entered()) leave();
  }

  // The end of input or /quit: once the server has answered what was sent
  // (kAnswerWait at most), close. Lines after a /quit are not sent.
  void leave() {
    if (done_ || leaving_) return;
    leaving_ = true;
    stdin_.stop();
    if (core_.awaiting_answers() == 0) return request_close();
    answer_timer_.expires_after(kAnswerWait);
    answer_timer_.async_wait([self = this->shared_from_this()](const beast::error_code& error) {
      if (error || self->done_ || self->close_requested_) return;
      self->output_.note("no answer to " + std::to_string(self->core_.awaiting_answers()) + " request(s) within " +
                         std::to_string(kAnswerWait.count()) + " s; closing");
      self->request_close();
    });
  }

  void apply(Reaction reaction, bool from_line) {
    for (const auto& line : reaction.events) {
      if (!output_.event(line) && !output_failed_) {
        output_failed_ = true;
        output_.note("roomkey connect: cannot write to stdout; leaving");
        request_close();
      }
    }
    for (const auto& line : reaction.notes) output_.note(line);
    if (reaction.frame && !close_requested_) {
      queue_.push_back({std::move(*reaction.frame), from_line});
      if (!writing_) write_next();
    } else if (from_line) {
      stdin_.handled();
    }
    if (reaction.quit) leave();
  }

  void write_next() {
    if (done_ || writing_) return;
    if (queue_.empty()) {
      if (close_requested_ && !close_sent_) send_close();
      return;
    }
    writing_ = true;
    ws_.async_write(
        net::buffer(queue_.front().text),
        [self = this->shared_from_this()](const beast::error_code& error, std::size_t) { self->on_written(error); });
  }

  void on_written(const beast::error_code& error) {
    writing_ = false;
    if (done_) return;
    if (error) return finish(close_requested_ ? kExitClean : kExitFailed, "connection lost: " + error.message());
    if (queue_.front().from_line) stdin_.handled();
    queue_.pop_front();
    write_next();
  }

  // Close with 1000 once every queued frame is sent; the reply is awaited
  // for kCloseWait at most.
  void request_close() {
    if (done_ || close_requested_) return;
    close_requested_ = true;
    stdin_.stop();
    answer_timer_.cancel();
    if (!open_) return finish(kExitInterrupted, "interrupted before the connection was open");
    close_timer_.expires_after(kCloseWait);
    close_timer_.async_wait([self = this->shared_from_this()](const beast::error_code& error) {
      if (!error && !self->done_)
        self->finish(self->output_failed_ ? kExitFailed : kExitClean,
                     "the server did not answer the close within " + std::to_string(kCloseWait.count()) + " s");
    });
    write_next();
  }

  void send_close() {
    close_sent_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](const beast::error_code& error) { self->on_closed(error); });
  }

  void on_closed(const beast::error_code& error) {
    if (done_) return;
    std::string why;
    // With a read pending, the read takes the server's close and the close
    // operation itself ends "aborted".
    if (error && error != websocket::error::closed && error != net::error::operation_aborted &&
        error != net::error::eof && error != ssl::error::stream_truncated)
      why = "the close handshake ended with: " + error.message();
    finish(output_failed_ ? kExitFailed : kExitClean, why);
  }

  void on_signal() {
    if (done_) return;
    if (close_requested_ || !open_) return finish(kExitInterrupted, "interrupted");
    request_close();
    signals_.async_wait([self = this->shared_from_this()](const beast::error_code& error, int) {
      if (!error) self->on_signal();
    });
  }

  void finish(int code, const std::string& why) {
    if (done_) return;
    done_ = true;
    exit_code_ = code;
    if (!why.empty()) output_.note("roomkey connect: " + why);
    stdin_.stop();
    beast::error_code ignored;
    signals_.cancel(ignored);
    answer_timer_.cancel();
    close_timer_.cancel();
    resolver_.cancel();
    beast::get_lowest_layer(ws_).socket().close(ignored);
    // Beast keeps its idle timer armed after a read fails without a close
    // frame (a killed server, a reset): without this, run() would wait for it.
    io_.stop();
  }

  net::io_context& io_;
  const SessionOptions& options_;
  ClientCore& core_;
  tcp::resolver resolver_;
  websocket::stream<Next> ws_;
  net::signal_set signals_;
  net::steady_timer answer_timer_;
  net::steady_timer close_timer_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  std::deque<InputLine> waiting_lines_;
  StdinLines stdin_;
  Output output_;
  bool open_ = false;
  bool writing_ = false;
  bool announced_ = false;
  bool input_ended_ = false;
  bool leaving_ = false;
  bool close_requested_ = false;
  bool close_sent_ = false;
  bool output_failed_ = false;
  bool done_ = false;
  int exit_code_ = kExitFailed;
};

}  // namespace

int run_session(const SessionOptions& options, ClientCore& core) {
  net::io_context io;
  if (!options.url.tls) {
    auto session = std::make_shared<Session<false>>(io, options, core, io);
    session->start();
    io.run();
    return session->exit_code();
  }
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_peer);
  beast::error_code error;
  if (options.ca_file.empty()) {
    context.set_default_verify_paths(error);
  } else {
    context.load_verify_file(options.ca_file, error);
  }
  if (error) {
    std::fprintf(stderr, "roomkey connect: cannot use %s: %s\n",
                 options.ca_file.empty() ? "the system's CA certificates" : ("--ca " + options.ca_file).c_str(),
                 error.message().c_str());
    return options.ca_file.empty() ? kExitFailed : kExitUsage;
  }
  auto session = std::make_shared<Session<true>>(io, options, core, io, context);
  session->start();
  io.run();
  return session->exit_code();
}

}  // namespace rk::connect
