#include "ws/websocket_session.h"

#include <span>

#include "ws/frame_parser.h"
#include "ws/frame_writer.h"

namespace rk::ws {

void WebSocketSession::receive(char* data, std::size_t size) {
  if (input_done_) return;
  if (carry_.empty()) {
    const std::size_t used = consume(data, size);
    if (!input_done_ && used < size) carry_.assign({data + used, size - used});
    return;
  }
  carry_.append({data, size});
  const std::size_t used = consume(carry_.data(), carry_.size());
  if (input_done_) return carry_.clear();
  carry_.erase_front(used);
}

void WebSocketSession::resume() {
  paused_ = false;
  if (carry_.empty() || input_done_) return;
  const std::size_t used = consume(carry_.data(), carry_.size());
  if (input_done_) return carry_.clear();
  carry_.erase_front(used);
}

std::size_t WebSocketSession::consume(char* data, std::size_t size) {
  std::size_t used = 0;
  while (used < size && reading()) {
    const FrameLimits limits{assembler_.max_message_bytes() - assembler_.buffered_bytes(), true};
    const auto result = parse_frame(std::span<char>(data + used, size - used), limits);
    if (result.status == ParseStatus::kNeedMore) break;
    if (result.status == ParseStatus::kViolation) {
      // The rest of this read is not trusted; later reads are still parsed,
      // for the peer's answer to our close.
      close(result.violation, result.reason);
      return size;
    }
    used += result.consumed;
    on_frame_event(assembler_.on_frame(result.frame));
  }
  return input_done_ ? size : used;
}

void WebSocketSession::on_frame_event(const WsEvent& event) {
  switch (event.kind) {
    case WsEvent::Kind::kNone:
    case WsEvent::Kind::kPong:
      return;
    case WsEvent::Kind::kText:
      if (!close_sent_) events_.on_text(event.payload);
      return;
    case WsEvent::Kind::kBinary:
      if (!close_sent_) events_.on_binary();
      return;
    case WsEvent::Kind::kPing:
      if (!close_sent_) events_.send_frame(make_frame(Opcode::kPong, {event.payload}));
      return;
    case WsEvent::Kind::kClose:
      peer_close_seen_ = true;
      input_done_ = true;
      // Echo the peer's code, as RFC 6455 5.5.1 suggests.
      send_close(event.close_code == CloseCode::kNoStatus ? CloseCode::kNoStatus
                                                          : static_cast<CloseCode>(event.peer_close_code),
                 {}, true);
      return events_.on_close_handshake_done();
    case WsEvent::Kind::kViolation:
      close(event.close_code, event.payload);
      return;
  }
}

bool WebSocketSession::send_close(CloseCode code, std::string_view reason, bool by_peer) {
  if (close_sent_) return false;
  close_sent_ = true;
  events_.on_closing(code, by_peer);
  events_.send_frame(make_close_frame(code, reason));
  return true;
}

void WebSocketSession::abandon() {
  input_done_ = true;
  carry_.clear();
}

}  // namespace rk::ws
