// Messages nodes pass each other through Redis (src/cluster/bus_message.cpp):
// a hostile or corrupted message on a room's channel must be refused or read
// within its bounds, and whatever is read must write back to the same bytes
// (there is one way to write each message).
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
      std::string body;
      write_publication_body(message->publication, body);
      check(publication_message(message->epoch, message->offset, body) == text);
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
