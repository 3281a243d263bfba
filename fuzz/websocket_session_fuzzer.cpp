// Feeds arbitrary bytes to the WebSocket session exactly as a connection
// does (the same class: frame parsing, assembly, pings, the close handshake),
// split into two reads at a point the input chooses, so that the carry of a
// partial frame is exercised too. Any crash, sanitizer report or broken
// invariant is a finding: every text message handed on must be valid UTF-8 as
// a whole (the assembler checks it fragment by fragment) and within the
// limit; nothing is reported after the close handshake; one close frame at most.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ws/utf8.h"
#include "ws/websocket_session.h"

namespace {

constexpr std::size_t kLimit = 4096;

struct Checker : rk::ws::SessionEvents {
  int closes_sent = 0;
  bool closing = false;
  void on_text(std::string_view text) override {
    if (closing || text.size() > kLimit || !rk::ws::is_valid_utf8(text)) std::abort();
  }
  void on_binary() override {
    if (closing) std::abort();
  }
  void on_closing(rk::ws::CloseCode, bool) override {
    if (closing) std::abort();  // reported once
    closing = true;
  }
  void on_close_handshake_done() override {
    if (!closing) std::abort();  // our close frame is queued first
  }
  void send_frame(rk::FramePtr frame) override {
    const auto opcode = static_cast<unsigned char>(frame->data()[0]) & 0x0f;
    if (opcode == 0x8 && ++closes_sent > 1) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t split = data[0] % (size + 1);
  std::vector<char> bytes(data + 1, data + size);
  Checker checker;
  rk::ws::WebSocketSession session(kLimit, checker);
  const std::size_t first = split < bytes.size() ? split : bytes.size();
  session.receive(bytes.data(), first);
  session.receive(bytes.data() + first, bytes.size() - first);
  return 0;
}
