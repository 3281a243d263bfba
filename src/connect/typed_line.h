#pragma once
// What a line typed into `roomkey connect` asks for, before any protocol:
// a message, or a command (/loc, /state, /history, ...). Checked here, so a
// bad command is explained and never sent.
#include <optional>
#include <string>
#include <string_view>

namespace rk::connect {

enum class LineKind {
  kNothing,   // an empty line: nothing to do
  kInvalid,   // a command that cannot be sent as typed; `text` says why
  kMessage,   // `text` is the message
  kLocation,  // `latitude`, `longitude`: JSON numbers, in range
  kState,     // `text` is valid JSON
  kHistory,   // `limit`: at most that many publications, if given
  kPresence,
  kDestroy,
  kRaw,  // `text` is valid JSON, sent as it is
  kHelp,
  kQuit,
};

struct TypedLine {
  LineKind kind = LineKind::kNothing;
  std::string text;
  std::string latitude;
  std::string longitude;
  std::optional<int> limit;
};

// `line` has no line terminator. A line starting with "//" is a message
// with the first '/' removed; any other line starting with '/' is a command.
TypedLine read_typed_line(std::string_view line);

// The commands, one per line, for /help and `roomkey connect --help`.
std::string_view command_help();

}  // namespace rk::connect
