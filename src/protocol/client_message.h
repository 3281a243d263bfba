#pragma once
// Protocol v1, client to server: one JSON object per text message, turned into
// a typed command: validated whole, then read field by field. Numbers and the relayed `data` value
// are kept as the exact text the client sent, so they are forwarded without
// being re-serialized.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <simdjson.h>

namespace rk::protocol {

struct InitCommand {
  std::string person;
  bool has_person = true;  // false: left out (allowed only with token auth, which names the person)
  std::optional<std::string> join;  // absent: create a room
  std::optional<std::string> token;  // --auth-key: a JWT (or in the upgrade URL)
};
struct LocationCommand {
  std::string_view latitude;   // raw JSON number text
  std::string_view longitude;  // raw JSON number text
};
struct RelayCommand {
  std::string_view data;  // raw JSON value text
};
struct DestroyCommand {
  std::string join;
};
struct UnknownCommand {
  std::string type;
};
struct InvalidCommand {
  std::string_view error;  // the text for {"type":"error","message":...}
};

using ClientMessage =
    std::variant<InitCommand, LocationCommand, RelayCommand, DestroyCommand, UnknownCommand, InvalidCommand>;

// One per event loop: it owns simdjson's reusable buffers. The string_views in
// a result point into this parser and stay valid until the next parse().
class ClientMessageParser {
 public:
  ClientMessage parse(std::string_view text);

 private:
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser validator_;
  // Never empty: an empty message must still point simdjson at real memory
  // (found by the fuzzer: memcpy to a null buffer).
  simdjson::padded_string padded_{std::size_t{4096}};
};

}  // namespace rk::protocol
