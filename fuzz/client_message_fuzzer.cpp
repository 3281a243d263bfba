// Arbitrary text as a protocol-v1 message. Whatever the parser accepts is
// relayed, so the relayed message built from it must itself be valid JSON:
// that is the invariant checked here, with an independent parse.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/client_message.h"
#include "protocol/json_text.h"
#include "protocol/server_message.h"

namespace {

void expect_valid_json_payload(const rk::FramePtr& frame, std::size_t header) {
  static simdjson::dom::parser checker;
  const std::string payload(frame->view().substr(header));
  if (checker.parse(payload).error()) std::abort();
}

std::size_t header_size(const rk::FramePtr& frame) {
  const auto length = static_cast<unsigned char>(frame->view()[1]) & 0x7F;
  return length < 126 ? 2 : length == 126 ? 4 : 10;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static rk::protocol::ClientMessageParser parser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto message = parser.parse(text);
  const std::string person = rk::protocol::json_string("fuzz");
  if (auto* location = std::get_if<rk::protocol::LocationCommand>(&message)) {
    const auto frame = rk::protocol::location_frame(person, location->latitude, location->longitude);
    expect_valid_json_payload(frame, header_size(frame));
  } else if (auto* relay = std::get_if<rk::protocol::RelayCommand>(&message)) {
    const auto frame = rk::protocol::relay_frame(person, relay->data);
    expect_valid_json_payload(frame, header_size(frame));
  } else if (auto* init = std::get_if<rk::protocol::InitCommand>(&message)) {
    const auto frame = rk::protocol::connection_message_frame(init->person + " Joined!");
    expect_valid_json_payload(frame, header_size(frame));
  }
  return 0;
}
