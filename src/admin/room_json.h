#pragma once
// One room as one JSON line, the format of `roomkey rooms export` and
// `import`:
//   {"join":"K","owner":"P","created_at":1717171717,"last_used":1717177777}
// Times are Unix seconds (UTC), as the stores keep them; a value a store has
// not recorded (the original server's rows have no owner and no times) is
// null, and may be left out on import.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/room_catalog.h"

namespace rk::admin {

// What is wrong with a line, in words for the user.
class MalformedLine : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The line, without a newline.
std::string to_json_line(const store::RoomRecord& room);

// Throws MalformedLine: not a JSON object, a field of the wrong type, an
// unknown field, no "join", a key that is empty or longer than the SQL
// stores' 255 bytes, a negative time.
store::RoomRecord parse_json_line(std::string_view line);

// `text` as inside a JSON string: quotes, backslashes and control
// characters escaped, so that it stays on one line.
std::string json_escaped(std::string_view text);

// True for a line holding only white space (skipped on import).
bool is_blank(std::string_view line);

}  // namespace rk::admin
