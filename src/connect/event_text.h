#pragma once
// Pieces of the readable output of `roomkey connect`: what a publication,
// a member list or a time looks like on one line, and the escaping that
// keeps what other members send from driving the terminal.
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace rk::connect {

// `text` with control characters (C0, DEL, C1) written as escapes (\n, \x1b,
// \u009b): a line printed stays one line and cannot move the cursor, retitle
// the window or the like. `text` is valid UTF-8 (WebSocket text is).
std::string printable(std::string_view text);

// A JSON value as compact JSON text; a string's own text for a string.
std::string value_text(simdjson::dom::element value);

// One publication (v1 or v2): "ben: hello", "ben is at 52.52, 13.405",
// "ben set state {...}"; other frames as "TYPE {...}".
std::string publication_text(simdjson::dom::object publication);

// "ana, ben" from [{"id":..,"person":..},...]; with ids: "ana (id x), ben (id y)".
std::string member_list(simdjson::dom::array members, bool with_ids);

// A publication's "at" (Unix milliseconds) in local time: "14:03:07" on the
// same day, "2026-01-02 14:03" before.
std::string clock_text(std::int64_t at_ms, std::int64_t now_ms);

// The string field `name` of `object`, or `fallback` when absent or not a string.
std::string_view string_field(simdjson::dom::object object, std::string_view name, std::string_view fallback = {});

}  // namespace rk::connect
