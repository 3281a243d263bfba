#include "session/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <spdlog/spdlog.h>

#include "protocol/json_text.h"
#include "protocol/server_message.h"
#include "room/room_key.h"
#include "ws/frame_parser.h"
#include "ws/frame_writer.h"
#include "ws/handshake.h"

namespace rk::session {
using ws::CloseCode;
using ws::WsEvent;

namespace {
// Full-buffer reads per wake-up before yielding to other sockets; epoll is
// level-triggered, so whatever is left is reported again next turn.
constexpr int kReadsPerWakeup = 4;
// A fresh 128-bit key colliding is not expected; this bounds the retries.
constexpr int kCreateAttempts = 3;
}  // namespace

Connection::Connection(LoopContext& loop, int fd, LimitTicket admission_ticket)
    : loop_(loop),
      fd_(fd),
      admission_ticket_(std::move(admission_ticket)),
      assembler_(loop.settings.max_message_bytes),
      phase_started_(loop.loop.now()),
      last_heard_(loop.loop.now()),
      rate_tokens_(2.0 * loop.settings.max_messages_per_second),
      rate_refilled_(loop.loop.now()) {}

namespace {
loop::Clock::duration seconds(double value) {
  return std::chrono::duration_cast<loop::Clock::duration>(std::chrono::duration<double>(value));
}
}  // namespace

void Connection::check_liveness(loop::Clock::time_point now) {
  const auto& settings = loop_.settings;
  if (state_ == State::kHandshake) {
    if (now - phase_started_ > seconds(settings.handshake_timeout_s)) end();
    return;
  }
  if (state_ != State::kOpen) return;  // closing connections have their own timer
  if (!room_ && !paused() && now - phase_started_ > seconds(settings.init_timeout_s)) {
    enqueue(protocol::error_frame(protocol::errors::kInitTimeout));
    return start_close(CloseCode::kPolicyViolation, "no init in time");
  }
  if (paused()) return;  // waiting on the store, not reading: silence proves nothing
  const auto silent = now - last_heard_;
  if (ping_outstanding_ && silent > seconds(settings.ping_interval_s + settings.ping_timeout_s)) {
    spdlog::debug("dropping a connection silent for {:.1f}s", std::chrono::duration<double>(silent).count());
    return end();  // a dead peer: its room hears "Disconnected!"
  }
  if (!ping_outstanding_ && silent > seconds(settings.ping_interval_s)) {
    ping_outstanding_ = true;
    enqueue(ws::make_frame(ws::Opcode::kPing, {}));
  }
}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
}

void Connection::start() {
  update_interest();
  if (interest_ == 0) end();
}

void Connection::update_interest() {
  if (state_ == State::kClosed) return;
  const std::uint32_t wanted = (paused() ? 0u : std::uint32_t{EPOLLIN}) | (waiting_writable_ ? std::uint32_t{EPOLLOUT} : 0u);
  if (wanted == interest_) return;
  if (interest_ == 0 && wanted != 0) {
    if (!loop_.loop.add(fd_, this, wanted)) return;  // leaves interest_ 0: start() ends it
  } else if (wanted == 0) {
    // Paused and nothing to write: stop the level-triggered wake-ups.
    loop_.loop.remove(fd_);
  } else {
    loop_.loop.modify(fd_, this, wanted);
  }
  interest_ = wanted;
}

void Connection::on_io(std::uint32_t events) {
  if (state_ == State::kClosed) return;
  if (events & EPOLLOUT) {
    waiting_writable_ = false;
    flush();
    if (state_ == State::kClosed) return;
    update_interest();
  }
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) read_available();
}

// ---------------------------------------------------------------- reading

void Connection::read_available() {
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    if (state_ == State::kClosed || paused()) return;
    const ssize_t n = ::recv(fd_, loop_.read_buffer.data(), loop_.read_buffer.size(), 0);
    if (n > 0) {
      last_heard_ = loop_.loop.now();
      ping_outstanding_ = false;
      take_bytes(loop_.read_buffer.data(), static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < loop_.read_buffer.size()) return;  // drained for now
      continue;
    }
    if (n == 0) return end();  // the peer closed TCP (with or without a close frame)
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    spdlog::debug("recv: {}", std::strerror(errno));
    return end();  // reset or other transport error
  }
}

void Connection::take_bytes(char* data, std::size_t size) {
  if (carry_.empty()) {
    const std::size_t used = consume(data, size);
    if (state_ != State::kClosed && used < size) carry_.assign(data + used, size - used);
    return;
  }
  carry_.append(data, size);
  const std::size_t used = consume(carry_.data(), carry_.size());
  if (state_ == State::kClosed) return;
  carry_.erase(0, used);
  if (carry_.empty() && carry_.capacity() > 64 * 1024) carry_.shrink_to_fit();
}

std::size_t Connection::consume(char* data, std::size_t size) {
  std::size_t used = 0;
  if (state_ == State::kHandshake) {
    used = consume_handshake(std::string_view(data, size));
    if (state_ == State::kHandshake) return used;
  }
  // After the peer's close frame (or an HTTP rejection) nothing it sends matters.
  if (state_ == State::kClosing && close_socket_when_flushed_) return size;
  while (used < size && (state_ == State::kOpen || state_ == State::kClosing) && !paused() &&
         !close_socket_when_flushed_) {
    const ws::FrameLimits limits{loop_.settings.max_message_bytes - assembler_.buffered_bytes(), true};
    const auto result = ws::parse_frame(std::span<char>(data + used, size - used), limits);
    if (result.status == ws::ParseStatus::kNeedMore) break;
    if (result.status == ws::ParseStatus::kViolation) {
      spdlog::debug("protocol violation: {}", result.reason);
      start_close(result.violation, result.reason);
      return size;  // nothing after a violation is trusted
    }
    used += result.consumed;
    on_ws_event(assembler_.on_frame(result.frame));
  }
  return state_ == State::kClosed ? size : used;
}

std::size_t Connection::consume_handshake(std::string_view bytes) {
  auto result = ws::process_handshake(bytes);
  switch (result.status) {
    case ws::HandshakeResult::Status::kNeedMore:
      return 0;
    case ws::HandshakeResult::Status::kReject:
      spdlog::debug("handshake rejected: {}", result.reason);
      state_ = State::kClosing;
      close_socket_when_flushed_ = true;
      enqueue(share_frame(result.response));
      return bytes.size();
    case ws::HandshakeResult::Status::kUpgrade:
      state_ = State::kOpen;
      phase_started_ = loop_.loop.now();
      enqueue(share_frame(result.response));
      return result.consumed;
  }
  return bytes.size();
}

void Connection::on_ws_event(const WsEvent& event) {
  switch (event.kind) {
    case WsEvent::Kind::kNone:
    case WsEvent::Kind::kPong:
      return;
    case WsEvent::Kind::kText:
      if (state_ == State::kOpen) on_text(event.payload);
      return;
    case WsEvent::Kind::kBinary:
      if (state_ != State::kOpen) return;
      if (!room_) {
        enqueue(protocol::error_frame(protocol::errors::kInvalidFormat));
        return start_close(CloseCode::kNormal, "invalid message format");
      }
      return reply_error(protocol::errors::kBinary);
    case WsEvent::Kind::kPing:
      if (state_ == State::kOpen) enqueue(ws::make_frame(ws::Opcode::kPong, {event.payload}));
      return;
    case WsEvent::Kind::kClose:
      peer_close_seen_ = true;
      if (!close_sent_) {
        // Echo the peer's code, as RFC 6455 5.5.1 suggests.
        const auto code = event.close_code == CloseCode::kNoStatus ? CloseCode::kNoStatus
                                                                   : static_cast<CloseCode>(event.peer_close_code);
        start_close(code, {});
      }
      close_socket_when_flushed_ = true;
      return finish_if_done();
    case WsEvent::Kind::kViolation:
      spdlog::debug("protocol violation: {}", event.payload);
      return start_close(event.close_code, event.payload);
  }
}

void Connection::resume() {
  if (state_ == State::kClosed) return;
  if (!carry_.empty() && !paused()) {
    const std::size_t used = consume(carry_.data(), carry_.size());
    if (state_ == State::kClosed) return;
    carry_.erase(0, used);
  }
  update_interest();
}

// ---------------------------------------------------------------- protocol v1

void Connection::on_text(std::string_view text) {
  auto message = loop_.parser.parse(text);
  if (room_) {
    on_room_message(message);
  } else {
    on_first_message(message);
  }
}

void Connection::on_first_message(protocol::ClientMessage& message) {
  auto* init = std::get_if<protocol::InitCommand>(&message);
  if (!init) {
    enqueue(protocol::error_frame(protocol::errors::kInvalidFormat));
    return start_close(CloseCode::kNormal, "invalid message format");
  }
  person_ = std::move(init->person);
  person_json_ = protocol::json_string(person_);
  if (!init->join) return place(room::generate_room_key(), true, kCreateAttempts);
  if (!loop_.join_guard.may_join(peer_address(), loop_.loop.now())) {
    enqueue(protocol::error_frame(protocol::errors::kTooManyFailedJoins));
    return start_close(CloseCode::kPolicyViolation, "too many unknown join keys");
  }
  if (init->join->empty() || init->join->size() > room::kMaxKeyBytes) return refuse_unknown_key();
  place(std::move(*init->join), false, kCreateAttempts);
}

void Connection::refuse_unknown_key() {
  loop_.join_guard.failed(peer_address(), loop_.loop.now());
  enqueue(protocol::error_frame(protocol::errors::kJoinKeyNotFound));
  start_close(CloseCode::kNormal, "join key not found");
}

// Asked only when joining, so that idle connections do not store it.
session::GuardedAddress Connection::peer_address() const {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &length) != 0) peer.ss_family = AF_UNSPEC;
  return session::GuardedAddress::of(peer);
}

// Every room lives on the loop its key hashes to; a connection whose init
// names a room of another loop moves there before anything else happens.
void Connection::place(std::string key, bool create, int create_attempts) {
  LoopContext& owner = loop_.owner_of(key);
  if (&owner != &loop_) return hand_off(owner, std::move(key), create);
  if (create) return create_room(std::move(key), create_attempts);
  join_room(std::move(key));
}

void Connection::hand_off(LoopContext& owner, std::string key, bool create) {
  handed_off_ = true;  // stops consume(): what follows the init travels as bytes
  // Shared, not moved into the tasks: a task must be copyable and the
  // admission ticket is not. Once per connection, only with several loops.
  auto handoff = std::make_shared<Handoff>();
  handoff->person = std::move(person_);
  handoff->room_key = std::move(key);
  handoff->create = create;
  // The rest of this read is still being consumed; the loop picks the
  // connection up after that, at the end of this turn's work.
  auto self = shared_from_this();
  loop_.loop.post([self, &owner, handoff] {
    Connection& from = *self;
    if (from.state_ == State::kClosed) return;
    handoff->fd = from.fd_;
    handoff->ticket = std::move(from.admission_ticket_);
    handoff->carry = std::move(from.carry_);
    for (std::size_t i = from.outbound_head_; i < from.outbound_.size(); ++i)
      handoff->outbound.push_back(std::move(from.outbound_[i]));
    handoff->outbound_offset = from.outbound_head_offset_;
    if (from.interest_ != 0) from.loop_.loop.remove(from.fd_);
    from.fd_ = -1;  // the socket now belongs to the other loop
    from.state_ = State::kClosed;
    from.loop_.retire(&from);
    owner.loop.post([&owner, handoff] { owner.adopt(std::move(*handoff)); });
  });
}

void Connection::resume_handoff(Handoff handoff) {
  state_ = State::kOpen;
  carry_ = std::move(handoff.carry);
  outbound_ = std::move(handoff.outbound);
  outbound_head_offset_ = handoff.outbound_offset;
  for (const auto& frame : outbound_) outbound_bytes_ += frame->size();
  outbound_bytes_ -= outbound_head_offset_;
  person_ = std::move(handoff.person);
  person_json_ = protocol::json_string(person_);
  if (!outbound_.empty()) {
    flush_requested_ = true;
    loop_.request_flush(this);
  }
  if (loop_.shutting_down) return go_away();
  if (handoff.create) {
    create_room(std::move(handoff.room_key), kCreateAttempts);
  } else {
    join_room(std::move(handoff.room_key));
  }
  if (!paused()) resume();
  if (interest_ == 0 && state_ != State::kClosed && !paused()) end();  // could not register
}

// Runs `then` back on this connection's loop with the store's answer. Reading
// pauses meanwhile, so this client's later messages keep their order; other
// connections are not affected.
void Connection::send_store_request(store::StoreOp op, std::string key,
                                    std::function<void(Connection&, store::StoreStatus)> then) {
  store_request_in_flight_ = true;
  update_interest();
  loop_.store.submit(op, std::move(key),
                     [self = shared_from_this(), then = std::move(then)](store::StoreStatus status) mutable {
                       auto& loop = self->loop_.loop;
                       loop.post([self = std::move(self), then = std::move(then), status] {
                         self->store_request_in_flight_ = false;
                         if (self->state_ != State::kOpen) return;
                         then(*self, status);
                         self->resume();
                       });
                     });
}

void Connection::create_room(std::string key, int attempts_left) {
  send_store_request(store::StoreOp::kCreate, key, [key, attempts_left](Connection& self, store::StoreStatus status) {
    switch (status) {
      case store::StoreStatus::kOk:
        // Acknowledged only now that the key is durable.
        self.enter_room(self.loop_.rooms.find_or_create(key));
        self.enqueue(protocol::init_reply_frame(key));
        return;
      case store::StoreStatus::kLimitReached:
        spdlog::debug("room create refused: --max-rooms reached");
        self.enqueue(protocol::error_frame(protocol::errors::kRoomLimit));
        return self.start_close(CloseCode::kTryAgainLater, "room limit reached");
      case store::StoreStatus::kAlreadyExists:
        // The new key may belong to another loop: place it like the first.
        if (attempts_left > 1) return self.place(room::generate_room_key(), true, attempts_left - 1);
        [[fallthrough]];
      default:
        spdlog::warn("room create failed: store unavailable");
        return self.reply_error(protocol::errors::kStoreUnavailableCreate);
    }
  });
}

void Connection::join_room(std::string key) {
  if (auto* room = loop_.rooms.find(key)) return enter_room(*room);
  send_store_request(store::StoreOp::kExists, key, [key](Connection& self, store::StoreStatus status) {
    switch (status) {
      case store::StoreStatus::kOk:
        return self.enter_room(self.loop_.rooms.find_or_create(key));
      case store::StoreStatus::kNotFound:
        return self.refuse_unknown_key();
      default:
        return self.reply_error(protocol::errors::kStoreUnavailableJoin);
    }
  });
}

void Connection::enter_room(room::Room& room) {
  if (room.members().size() >= loop_.settings.max_room_members) {
    enqueue(protocol::error_frame(protocol::errors::kRoomFull));
    if (room.empty()) loop_.rooms.erase_if_empty(room);
    return start_close(CloseCode::kPolicyViolation, "room full");
  }
  std::string notice = person_;
  notice.append(protocol::notice::kJoined);
  room.broadcast(protocol::connection_message_frame(notice), this);
  room.add(this);
  room_ = &room;
}

void Connection::destroy_room() {
  send_store_request(store::StoreOp::kDestroy, room_->key(), [](Connection& self, store::StoreStatus status) {
    if (status == store::StoreStatus::kUnavailable) return self.reply_error(protocol::errors::kStoreUnavailableDestroy);
    if (!self.room_) return;
    // kNotFound too: the row is gone either way, so the room goes.
    auto room = self.loop_.rooms.take(self.room_->key());
    if (!room) return;
    std::string notice = room->key();
    notice.append(protocol::notice::kDestroyed);
    const auto frame = protocol::connection_message_frame(notice);
    for (room::RoomMember* member : room->members()) {
      auto* connection = static_cast<Connection*>(member);
      connection->room_ = nullptr;  // destroyed rooms send no "Disconnected!"
      connection->enqueue(frame);
      connection->start_close(CloseCode::kNormal, "room destroyed");
    }
  });
}

// Token bucket: --max-messages-per-second, bursts up to twice that. Excess
// messages get an error; a full second's worth refused in a row closes.
bool Connection::within_rate_limit() {
  const double rate = loop_.settings.max_messages_per_second;
  if (rate <= 0) return true;
  const auto now = loop_.loop.now();
  rate_tokens_ = std::min(2 * rate, rate_tokens_ + rate * std::chrono::duration<double>(now - rate_refilled_).count());
  rate_refilled_ = now;
  if (rate_tokens_ >= 1) {
    rate_tokens_ -= 1;
    rate_strikes_ = 0;
    return true;
  }
  if (++rate_strikes_ > rate) {
    start_close(CloseCode::kPolicyViolation, "message rate limit exceeded");
  } else {
    reply_error(protocol::errors::kRateLimited);
  }
  return false;
}

void Connection::on_room_message(protocol::ClientMessage& message) {
  if (!within_rate_limit()) return;
  std::visit(
      [this](auto& command) {
        using T = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<T, protocol::LocationCommand>) {
          room_->broadcast(protocol::location_frame(person_json_, command.latitude, command.longitude), this);
        } else if constexpr (std::is_same_v<T, protocol::RelayCommand>) {
          room_->broadcast(protocol::relay_frame(person_json_, command.data), this);
        } else if constexpr (std::is_same_v<T, protocol::DestroyCommand>) {
          if (command.join != room_->key()) return reply_error(protocol::errors::kDestroyOtherRoom);
          destroy_room();
        } else if constexpr (std::is_same_v<T, protocol::InitCommand>) {
          reply_error(protocol::errors::kAlreadyInRoom);
        } else if constexpr (std::is_same_v<T, protocol::InvalidCommand>) {
          reply_error(command.error);
        }
        // UnknownCommand: ignored, as the original server did.
      },
      message);
}

void Connection::leave_room() {
  if (!room_) return;
  room::Room& room = *room_;
  room_ = nullptr;
  room.remove(this);
  if (room.empty()) return loop_.rooms.erase_if_empty(room);
  std::string notice = person_;
  notice.append(protocol::notice::kDisconnected);
  room.broadcast(protocol::connection_message_frame(notice), this);
}

// ---------------------------------------------------------------- writing

void Connection::deliver(const FramePtr& frame) {
  if (state_ != State::kOpen) return;
  enqueue(frame);
}

void Connection::reply_error(std::string_view message) { enqueue(protocol::error_frame(message)); }

void Connection::enqueue(FramePtr frame) {
  if (state_ == State::kClosed || close_sent_ || outbound_overflowed_) return;
  // An empty queue takes any frame, so a message bigger than the limit
  // (--max-message-bytes may exceed it) still reaches a client that reads.
  if (outbound_bytes_ > 0 && outbound_bytes_ + frame->size() > loop_.settings.max_outbound_bytes &&
      state_ == State::kOpen) {
    // Not closed here: this may run inside a room's broadcast loop, which
    // leaving the room would disturb. The flush at the end of the turn does it.
    // A stalled reader never becomes writable, so this flush is requested
    // even while waiting for EPOLLOUT.
    outbound_overflowed_ = true;
    if (!flush_requested_) {
      flush_requested_ = true;
      loop_.request_flush(this);
    }
    return;
  }
  outbound_bytes_ += frame->size();
  outbound_.push_back(std::move(frame));
  if (flush_requested_ || waiting_writable_) return;
  flush_requested_ = true;
  loop_.request_flush(this);
}

void Connection::flush() {
  flush_requested_ = false;
  if (state_ == State::kClosed || handed_off_) return;
  if (outbound_overflowed_) drop_as_slow_consumer();
  if (waiting_writable_) return;
  while (outbound_head_ < outbound_.size()) {
    auto& iov = loop_.iov;
    iov.clear();
    for (std::size_t i = outbound_head_; i < outbound_.size() && iov.size() < IOV_MAX; ++i) {
      const OutboundFrame& frame = *outbound_[i];
      const std::size_t skip = i == outbound_head_ ? outbound_head_offset_ : 0;
      iov.push_back({const_cast<char*>(frame.data()) + skip, frame.size() - skip});
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = iov.size();
    const ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        waiting_writable_ = true;  // EPOLLOUT will call flush() again
        return update_interest();
      }
      spdlog::debug("send: {}", std::strerror(errno));
      return end();
    }
    auto written = static_cast<std::size_t>(n);
    outbound_bytes_ -= written;
    while (written > 0) {
      const std::size_t left = outbound_[outbound_head_]->size() - outbound_head_offset_;
      if (written < left) {
        outbound_head_offset_ += written;
        break;
      }
      written -= left;
      outbound_[outbound_head_++].reset();
      outbound_head_offset_ = 0;
    }
  }
  outbound_.clear();  // keeps its capacity: no allocation on the next turn
  outbound_head_ = 0;
  finish_if_done();
}

// ---------------------------------------------------------------- closing

void Connection::start_close(CloseCode code, std::string_view reason) {
  if (state_ == State::kClosed || close_sent_) return;
  leave_room();
  enqueue(ws::make_close_frame(code, reason));
  close_sent_ = true;
  state_ = State::kClosing;
  arm_close_timer();
}

// A closing peer gets a while to answer with its close frame and its FIN;
// then it is dropped.
void Connection::arm_close_timer() {
  if (close_timer_) return;
  const auto delay = std::chrono::duration_cast<loop::Clock::duration>(
      std::chrono::duration<double>(loop_.settings.close_timeout_s));
  close_timer_ = loop_.loop.add_timer(delay, [self = shared_from_this()] {
    self->close_timer_ = 0;
    self->end();
  });
}

// The client reads slower than its room talks and its queue hit the limit:
// it is the one that goes (close 1008), so the room and the server's memory
// are unaffected. Its queue is emptied except a frame already half written,
// which must be finished for the close frame to be readable at all.
void Connection::drop_as_slow_consumer() {
  outbound_overflowed_ = false;
  spdlog::info("disconnecting a slow consumer: more than {} bytes queued", loop_.settings.max_outbound_bytes);
  const std::size_t keep = outbound_head_offset_ > 0 ? outbound_head_ + 1 : outbound_head_;
  for (std::size_t i = keep; i < outbound_.size(); ++i) outbound_bytes_ -= outbound_[i]->size();
  outbound_.resize(keep);
  state_ = State::kClosing;  // no more deliveries; the close frame itself still goes in the queue
  start_close(CloseCode::kPolicyViolation, "slow consumer: outbound queue limit reached");
}

void Connection::go_away() {
  if (state_ == State::kOpen) return start_close(CloseCode::kGoingAway, "server shutting down");
  if (state_ == State::kHandshake) end();
}

// Shutting down only our sending side (not close()) lets the peer read all of
// it: closing a socket with unread input would send a reset instead. The
// peer's FIN (recv() == 0) or the close timer then ends the connection.
void Connection::finish_if_done() {
  if (!close_socket_when_flushed_ || send_shut_ || outbound_head_ < outbound_.size() || waiting_writable_) return;
  send_shut_ = true;
  ::shutdown(fd_, SHUT_WR);
  arm_close_timer();
}

void Connection::end() {
  if (state_ == State::kClosed) return;
  leave_room();
  state_ = State::kClosed;
  outbound_.clear();
  outbound_head_ = 0;
  outbound_bytes_ = 0;
  if (close_timer_) loop_.loop.cancel_timer(close_timer_);
  close_timer_ = 0;
  if (interest_ != 0) loop_.loop.remove(fd_);
  interest_ = 0;
  ::close(fd_);
  fd_ = -1;
  carry_.clear();
  loop_.retire(this);
}

}  // namespace rk::session
