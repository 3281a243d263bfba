// Feeds arbitrary bytes to the WebSocket frame parser and message assembler
// exactly as a connection does: frame after frame until need-more or a
// violation. Any crash, sanitizer report or broken invariant is a finding:
// every text message handed on must be valid UTF-8 as a whole (the assembler
// checks it fragment by fragment) and within the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ws/frame_parser.h"
#include "ws/message_assembler.h"
#include "ws/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<char> bytes(data, data + size);
  constexpr std::size_t kLimit = 4096;
  rk::ws::MessageAssembler assembler(kLimit);
  std::size_t used = 0;
  while (used < bytes.size()) {
    const rk::ws::FrameLimits limits{kLimit - assembler.buffered_bytes(), true};
    const auto r = rk::ws::parse_frame(std::span<char>(bytes.data() + used, bytes.size() - used), limits);
    if (r.status != rk::ws::ParseStatus::kFrame) break;
    if (r.consumed == 0 || r.consumed > bytes.size() - used) std::abort();  // must always make progress
    const bool control = (static_cast<unsigned>(r.frame.opcode) & 0x8) != 0;
    if (!control && r.frame.payload.size() > limits.max_payload_bytes) std::abort();
    used += r.consumed;
    const auto event = assembler.on_frame(r.frame);
    if (event.kind == rk::ws::WsEvent::Kind::kViolation) break;
    if (event.kind == rk::ws::WsEvent::Kind::kText &&
        (event.payload.size() > kLimit || !rk::ws::is_valid_utf8(event.payload)))
      std::abort();
  }
  return 0;
}
