// Messages nodes pass each other through Redis (src/cluster/bus_message.cpp):
// a hostile or corrupted message on a room's channel must be refused or read
// within its bounds, and whatever is read must write back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cluster/bus_message.h"

using namespace rk::cluster;

namespace {
void check(bool holds) {
  if (!holds) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto message = parse_bus_message(text);
  if (!message) return 0;
  switch (message->kind) {
    case MessageKind::kPublication: {
      // Numbers may have been written with leading zeros: compare what is
      // read back, not the bytes.
      std::string body;
      write_publication_body(message->publication, body);
      const std::string again = publication_message(message->epoch, message->offset, body);
      const auto reread = parse_bus_message(again);
      check(reread && reread->kind == MessageKind::kPublication);
      const auto& a = message->publication;
      const auto& b = reread->publication;
      check(reread->epoch == message->epoch && reread->offset == message->offset && a.at_ms == b.at_ms &&
            a.kind == b.kind && a.node == b.node && a.member_id == b.member_id && a.person_json == b.person_json &&
            a.first == b.first && a.second == b.second && a.ack_id == b.ack_id);
      break;
    }
    case MessageKind::kJoin:
      check(join_message(message->node, message->member_id, message->person_json) == text);
      break;
    case MessageKind::kLeave:
      check(leave_message(message->node, message->member_id, message->reason) == text);
      break;
    case MessageKind::kDestroyed:
      check(destroyed_message(message->node) == text);
      break;
  }
  return 0;
}
