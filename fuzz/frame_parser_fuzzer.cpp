// Feeds arbitrary bytes to the WebSocket frame parser and message assembler
// exactly as a connection does: frame after frame until need-more or a
// violation. Any crash, sanitizer report or broken invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ws/frame_parser.h"
#include "ws/message_assembler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<char> bytes(data, data + size);
  rk::ws::MessageAssembler assembler(4096);
  const rk::ws::FrameLimits limits{4096, true};
  std::size_t used = 0;
  while (used < bytes.size()) {
    const auto r = rk::ws::parse_frame(std::span<char>(bytes.data() + used, bytes.size() - used), limits);
    if (r.status != rk::ws::ParseStatus::kFrame) break;
    if (r.consumed == 0 || r.consumed > bytes.size() - used) std::abort();  // must always make progress
    if (r.frame.payload.size() > limits.max_payload_bytes) std::abort();
    used += r.consumed;
    const auto event = assembler.on_frame(r.frame);
    if (event.kind == rk::ws::WsEvent::Kind::kViolation) break;
    if (event.kind == rk::ws::WsEvent::Kind::kText && event.payload.size() > 4096) std::abort();
  }
  return 0;
}
