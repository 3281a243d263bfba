#include "session/connection.h"

#include <chrono>
#include <spdlog/spdlog.h>

#include "http/router.h"
#include "proxy/forwarded_for.h"
#include "protocol/server_message.h"
#include "session/access.h"
#include "protocol/server_message_v2.h"
#include "session/protocol_v1.h"
#include "session/protocol_v2.h"
#include "ws/frame_writer.h"
#include "ws/handshake.h"

namespace rk::session {
using ws::CloseCode;

void intrusive_ptr_add_ref(Connection* connection) noexcept {
  connection->references_.fetch_add(1, std::memory_order_relaxed);
}

// The last reference may go on another thread (a store answer's task): the
// acquire makes that thread see everything the loop wrote before letting go.
void intrusive_ptr_release(Connection* connection) noexcept {
  if (connection->references_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete connection;
}

namespace {
loop::Clock::duration seconds(double value) {
  return std::chrono::duration_cast<loop::Clock::duration>(std::chrono::duration<double>(value));
}

std::unique_ptr<tls::TlsStream> tls_for(const LoopContext& loop) {
  if (!loop.tls_context) return nullptr;
  return std::make_unique<tls::TlsStream>(loop.tls_context.get(), tls::TlsStream::Role::kServer);
}
}  // namespace

Connection::Connection(LoopContext& loop, int fd, LimitTicket admission_ticket, bool from_trusted_proxy,
                       bool metrics_port)
    : loop_(&loop),
      admission_ticket_(std::move(admission_ticket)),
      // The metrics port is an internal one: plain HTTP, no PROXY header.
      transport_(fd, loop.settings.max_outbound_bytes, metrics_port ? nullptr : tls_for(loop),
                 !metrics_port && from_trusted_proxy && loop.settings.proxy_protocol),
      ws_(loop.settings.max_message_bytes, *this),
      from_trusted_proxy_(from_trusted_proxy),
      metrics_port_(metrics_port),
      phase_started_(loop.loop.now()),
      last_heard_(loop.loop.now()) {}

Connection::~Connection() = default;

void Connection::start() {
  if (!transport_.attach(loop_->io, *this)) return end(room::LeaveReason::kDropped);
  transport_.read_now();
}

// ---------------------------------------------------------------- liveness

void Connection::check_liveness(loop::Clock::time_point now) {
  transport_.release_idle_queue();
  const auto& settings = loop_->settings;
  if (phase_ == Phase::kHttp) {
    if (now - phase_started_ > seconds(settings.handshake_timeout_s)) end(room::LeaveReason::kClosed);
    return;
  }
  if (phase_ != Phase::kWebSocket || !ws_.open()) return;  // closing connections have their own timer
  const bool paused = store_request_in_flight_ || moving_;
  const bool in_room = handler_ && handler_->in_room();
  if (!in_room && !paused && now - phase_started_ > seconds(settings.init_timeout_s))
    return handler_for({}).on_init_timeout();
  const auth::Claims* token = claims();
  if (token && loop_->unix_ms() / 1000 > token->expires_at + static_cast<std::int64_t>(settings.auth_leeway_s)) {
    extras_->claims.reset();
    return handler_for({}).on_token_expired();
  }
  if (paused) return;  // waiting on the store, not reading: silence proves nothing
  const auto silent = now - last_heard_;
  if (ping_outstanding_ && silent > seconds(settings.ping_interval_s + settings.ping_timeout_s)) {
    spdlog::debug("dropping a connection silent for {:.1f}s", std::chrono::duration<double>(silent).count());
    return end(room::LeaveReason::kTimeout);  // a dead peer: its room hears that it left
  }
  if (!ping_outstanding_ && silent > seconds(settings.ping_interval_s)) {
    ping_outstanding_ = true;
    transport_.send(ws::make_frame(ws::Opcode::kPing, {}));
  }
}

// ---------------------------------------------------------------- reading

void Connection::on_received(char* data, std::size_t size) {
  last_heard_ = loop_->loop.now();
  ping_outstanding_ = false;
  if (phase_ == Phase::kWebSocket) return ws_.receive(data, size);
  if (phase_ == Phase::kHttp) read_request(data, size);
  // kAnswered: nothing a client sends after our answer matters.
}

void Connection::read_request(char* data, std::size_t size) {
  PendingRequest* const pending = extras_ ? extras_->request.get() : nullptr;
  if (pending) {
    pending->bytes.append(data, size);
    if (pending->bytes.size() < pending->needed) return;  // the rest of a body: nothing to parse yet
  }
  const std::string_view input = pending ? std::string_view(pending->bytes) : std::string_view(data, size);
  auto result = ws::process_handshake(input, loop_->settings.api_max_body);
  switch (result.status) {
    case ws::HandshakeResult::Status::kNeedMore:
      if (!pending) extras().request = std::make_unique<PendingRequest>(PendingRequest{std::string(data, size), 0});
      extras_->request->needed = result.needed;
      return;
    case ws::HandshakeResult::Status::kReject:
      spdlog::debug("handshake rejected: {}", result.reason);
      return answer_http(std::move(result.response));
    case ws::HandshakeResult::Status::kPlainHttp:
      if (!accept_forwarded_for(result.request)) return;
      return answer_http_later(result.request);
    case ws::HandshakeResult::Status::kUpgrade: {
      if (metrics_port_) return answer_http_later(result.request);  // no WebSocket on the metrics port
      if (!accept_forwarded_for(result.request)) return;
      if (!origin_allowed(loop_->settings.allowed_origins, result.request[http::Field::origin]))
        return answer_http(http::Response::text(403, "Forbidden", "this Origin may not connect here\n").serialize());
      if (!accept_url_token(result.request)) return;
      // Frames may follow the request in the same read.
      std::string rest(input.substr(result.consumed));
      forget_request();
      return upgrade(std::move(result.response), rest.data(), rest.size());
    }
  }
}

sockaddr_storage Connection::peer_address() const {
  if (extras_ && extras_->client_address) return *extras_->client_address;
  return transport_.peer_address();
}

// A trusted proxy (without --proxy-protocol) reports the client in
// X-Forwarded-For; anyone else's X-Forwarded-For is ignored.
bool Connection::accept_forwarded_for(const http::Request& request) {
  if (!from_trusted_proxy_ || loop_->settings.proxy_protocol || !loop_->trusted_proxies) return true;
  std::string header;
  const auto [first, last] = request.equal_range("X-Forwarded-For");
  for (auto field = first; field != last; ++field) {
    if (!header.empty()) header.push_back(',');
    header.append(field->value());
  }
  const auto client = proxy::client_from_forwarded_for(header, *loop_->trusted_proxies);
  std::string_view refusal;
  if (!client || use_client_address(*client, refusal)) return true;
  answer_http(http::Response::text(503, "Service Unavailable", std::string(refusal) + "\n", "Retry-After: 5\r\n")
                  .serialize());
  return false;
}

// Before any byte of the client's: nothing can be answered yet (with TLS,
// not even in clear), so a refused client is just closed.
void Connection::on_proxy_source(const sockaddr_storage* client) {
  std::string_view refusal;
  if (client && !use_client_address(*client, refusal)) end(room::LeaveReason::kDropped);
}

// From now on the client's address is the one every per-address limit
// counts: --max-connections-per-ip is applied to it here (the proxy's own
// address was not counted). False, with the reason, if that refuses it.
bool Connection::use_client_address(const sockaddr_storage& client, std::string_view& refusal) {
  extras().client_address = client;
  if (!loop_->admit_client) return true;
  LimitTicket ticket = loop_->admit_client(client, refusal);
  if (!ticket) {
    loop_->counters.refuse(Limit::kConnectionsPerIp);
    spdlog::debug("refused a proxied client: {}", refusal);
    return false;
  }
  admission_ticket_ = std::move(ticket);  // gives the proxy-address ticket back
  return true;
}

// Token auth: a token in the upgrade URL (?token=...) is checked before the
// upgrade; a bad one gets 401 and no WebSocket. Without one, the init must
// carry it.
bool Connection::accept_url_token(const http::Request& request) {
  if (!loop_->verifier) return true;
  const std::string_view token = http::query_parameter(request.target(), "token");
  if (token.empty()) return true;
  auto verdict = loop_->verifier->verify(token, loop_->unix_ms() / 1000);
  if (!verdict.ok()) {
    answer_http(http::Response::text(401, "Unauthorized", "Unauthorized: " + verdict.reason + ".\n").serialize());
    return false;
  }
  set_claims(std::make_unique<auth::Claims>(std::move(verdict.claims)));
  return true;
}

// A route may answer at once or after asking the store or other loops (the
// HTTP API, /metrics): its reply, from whatever thread, is posted to this
// connection's loop. Nothing the client sends meanwhile is read.
void Connection::answer_http_later(const http::Request& request) {
  phase_ = Phase::kAnswered;
  forget_request();
  loop::EventLoop* home = &loop_->loop;
  const http::Router& router = metrics_port_ && loop_->metrics_router ? *loop_->metrics_router : loop_->router;
  router.respond(request, [self = ConnectionPtr(this), home](http::Response response) {
    home->post([self, wire = response.serialize()]() mutable { self->answer_http(std::move(wire)); });
  });
}

void Connection::answer_http(std::string response) {
  if (phase_ == Phase::kClosed) return;  // the client left before a deferred answer
  phase_ = Phase::kAnswered;
  forget_request();
  transport_.send_unbounded(share_frame(response));
  transport_.shutdown_when_flushed();
  arm_close_timer();
}

void Connection::upgrade(std::string response, char* rest, std::size_t rest_size) {
  phase_ = Phase::kWebSocket;
  phase_started_ = loop_->loop.now();
  if (!ConnectionLog::wanted()) {
    // No log line, so no address to look up.
  } else if (auto log = ConnectionLog::open_if_logged(peer_address(), loop_->tls_context != nullptr, phase_started_)) {
    extras().log = std::move(log);
  }
  transport_.send_unbounded(share_frame(response));
  if (rest_size > 0) ws_.receive(rest, rest_size);
}

void Connection::on_text(std::string_view text) {
  ++loop_->counters.messages_received;
  handler_for(text).on_text(text);
}

void Connection::on_binary() { handler_for({}).on_binary(); }

// The first message picks the protocol: an init with "v":2 is protocol v2,
// anything else is v1 exactly as the original server spoke it.
ProtocolHandler& Connection::handler_for(std::string_view first_message) {
  if (handler_) return *handler_;
  auto& parser = loop_->parser_v2;
  if (!first_message.empty()) parser.parse(first_message);
  const auto version = first_message.empty() ? protocol::v2::InitVersion::kNotInit : parser.init_version();
  if (version == protocol::v2::InitVersion::kV2 || version == protocol::v2::InitVersion::kUnsupported) {
    handler_ = std::make_unique<ProtocolV2>(*this);
  } else {
    handler_ = std::make_unique<ProtocolV1>(*this);
  }
  return *handler_;
}

void Connection::pause_reading() {
  ws_.pause();
  transport_.set_reading(false);
}

void Connection::resume_reading() {
  if (phase_ == Phase::kClosed || store_request_in_flight_ || moving_) return;
  transport_.set_reading(true);
  if (!transport_.registered()) return end(room::LeaveReason::kDropped);  // the loop could not take the socket
  ws_.resume();
}

// ---------------------------------------------------------------- rooms

// The rest of this read is still being consumed when the init asks to move:
// it waits in the session (reading is paused), and the loop lets the
// connection go after this turn's work, in a task of its own.
void Connection::move_to(LoopContext& owner, std::function<void()> then) {
  moving_ = true;
  pause_reading();
  loop_->loop.post([self = ConnectionPtr(this), &owner, then = std::move(then)]() mutable {
    Connection& connection = *self;
    if (connection.phase_ == Phase::kClosed) return;
    connection.transport_.detach();
    connection.loop_->release(&connection);
    owner.loop.post([self = std::move(self), &owner, then = std::move(then)]() mutable {
      Connection& moved = *self;
      moved.loop_ = &owner;
      owner.take_over(self);
      moved.moving_ = false;
      if (!moved.transport_.attach(owner.io, moved)) return moved.end(room::LeaveReason::kDropped);
      if (owner.shutting_down) return moved.go_away();
      then();
      moved.resume_reading();
    });
  });
}

// Runs `then` back on this connection's loop with the store's answer. Reading
// pauses meanwhile, so this client's later messages keep their order; other
// connections are not affected.
void Connection::ask_store(store::StoreRequest request, std::function<void(const store::StoreRequest&)> then) {
  store_request_in_flight_ = true;
  pause_reading();
  loop_->store.submit(std::move(request), [self = ConnectionPtr(this),
                                           then = std::move(then)](const store::StoreRequest& reply) mutable {
    auto& loop = self->loop_->loop;
    loop.post([self = std::move(self), then = std::move(then), reply]() mutable {
      self->store_request_in_flight_ = false;
      if (self->phase_ != Phase::kWebSocket || !self->ws_.open()) return;
      then(reply);
      self->resume_reading();
    });
  });
}

std::function<void(bool)> Connection::hold(std::function<void(bool)> then) {
  store_request_in_flight_ = true;
  pause_reading();
  return [self = ConnectionPtr(this), then = std::move(then)](bool ok) mutable {
    self->store_request_in_flight_ = false;
    if (self->phase_ != Phase::kWebSocket || !self->ws_.open()) return;
    then(ok);
    self->resume_reading();
  };
}

// ---------------------------------------------------------------- writing

void Connection::send(FramePtr frame) {
  if (phase_ != Phase::kWebSocket || !ws_.open()) return;
  transport_.send(std::move(frame));
}

// The client reads slower than its room talks and its queue hit the limit:
// it is the one that goes (close 1008), so the room and the server's memory
// are unaffected.
void Connection::on_outbound_overflow() {
  if (!ws_.open()) return;  // closing anyway: our close frame is in the queue
  spdlog::info("disconnecting a slow consumer: more than {} bytes queued", loop_->settings.max_outbound_bytes);
  ++loop_->counters.slow_consumers_dropped;
  transport_.discard_unsent();
  close(CloseCode::kPolicyViolation, "slow consumer: outbound queue limit reached");
}

// ---------------------------------------------------------------- closing

void Connection::on_entered(std::string_view room_key, bool created) {
  if (extras_ && extras_->log) extras_->log->entered(room_key, created, handler_ ? handler_->version() : 1);
}

void Connection::close(CloseCode code, std::string_view reason) {
  if (phase_ != Phase::kWebSocket) return;
  if (extras_ && extras_->log && ws_.open()) extras_->log->closing(static_cast<std::uint16_t>(code), false, reason);
  ws_.close(code, reason);
}

// Who ends it tells the room why: the client closing, or the server closing
// on it (a broken rule or limit, a shutdown: dropped).
void Connection::on_closing(CloseCode code, bool by_peer) {
  auto& closes = by_peer ? loop_->counters.closes_by_client : loop_->counters.closes_by_server;
  ++closes[static_cast<std::uint16_t>(code)];
  if (!by_peer && code == CloseCode::kMessageTooBig) loop_->counters.refuse(Limit::kMessageBytes);
  if (extras_ && extras_->log) extras_->log->closing(static_cast<std::uint16_t>(code), by_peer, {});
  const bool dropped = !by_peer && code != CloseCode::kNormal;
  if (handler_) handler_->on_leaving(dropped ? room::LeaveReason::kDropped : room::LeaveReason::kClosed);
  arm_close_timer();
}

void Connection::on_close_handshake_done() { transport_.close_when_flushed(); }

// A closing peer gets a while to answer with its close frame and its FIN;
// then it is dropped.
void Connection::arm_close_timer() {
  if (close_timer_) return;
  close_timer_ = loop_->loop.add_timer(seconds(loop_->settings.close_timeout_s), [self = ConnectionPtr(this)] {
    self->close_timer_ = 0;
    self->end(room::LeaveReason::kClosed);
  });
}

void Connection::go_away() {
  if (phase_ == Phase::kWebSocket) return close(CloseCode::kGoingAway, "server shutting down");
  if (phase_ == Phase::kHttp) end(room::LeaveReason::kClosed);
}

void Connection::end(room::LeaveReason reason) {
  if (phase_ == Phase::kClosed) return;
  if (handler_) handler_->on_leaving(reason);
  if (extras_ && extras_->log) extras_->log->closed(reason, loop_->loop.now());
  phase_ = Phase::kClosed;
  ws_.abandon();
  if (close_timer_) loop_->loop.cancel_timer(close_timer_);
  close_timer_ = 0;
  transport_.close();
  loop_->retire(this);
}

}  // namespace rk::session
