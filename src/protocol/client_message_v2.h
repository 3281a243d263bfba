#pragma once
// Protocol v2, client to server (docs/protocol-v2.md): one JSON object per
// text message, turned into a typed command. As in v1 the text is validated
// whole, then read field by field; numbers, `data` and `id` are kept as the
// exact text the client sent, so they are forwarded without being
// re-serialized.
//
// Errors follow one rule: a field of the wrong JSON type is `invalid_message`
// (the text names the field and what it must be; a bad "id" of any kind is
// `invalid_id`); a required field that is missing, or a value of the right
// type that is out of bounds, takes the code of its message type
// (`invalid_init`, `invalid_location`, ...).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <simdjson.h>

namespace rk::protocol::v2 {

// Stable error codes, sent as {"type":"error","code":C,"message":M}.
namespace codes {
// From the parser.
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kInvalidMessage = "invalid_message";
inline constexpr std::string_view kInvalidInit = "invalid_init";
inline constexpr std::string_view kInvalidLocation = "invalid_location";
inline constexpr std::string_view kInvalidId = "invalid_id";
inline constexpr std::string_view kInvalidHistory = "invalid_history";
inline constexpr std::string_view kInvalidDestroy = "invalid_destroy";
inline constexpr std::string_view kInvalidRefresh = "invalid_refresh";
// From the server.
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kStoreUnavailable = "store_unavailable";
inline constexpr std::string_view kRoomFull = "room_full";
inline constexpr std::string_view kRoomLimit = "room_limit";
inline constexpr std::string_view kTooManyJoins = "too_many_joins";
inline constexpr std::string_view kTooManyCreates = "too_many_creates";
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kNotYourRoom = "not_your_room";
inline constexpr std::string_view kAlreadyInRoom = "already_in_room";
inline constexpr std::string_view kBinaryNotSupported = "binary_not_supported";
inline constexpr std::string_view kInitTimeout = "init_timeout";
inline constexpr std::string_view kUnknownType = "unknown_type";  // a type the server does not know: ignored
inline constexpr std::string_view kInitRequired = "init_required";              // not in a room yet, and not an init
inline constexpr std::string_view kUnsupportedVersion = "unsupported_version";  // init "v" not 1 or 2
// Token auth (--auth-key).
inline constexpr std::string_view kUnauthorized = "unauthorized";   // no token, or not a valid one
inline constexpr std::string_view kTokenExpired = "token_expired";  // its exp passed (refresh in time)
inline constexpr std::string_view kKicked = "kicked";  // removed by the server's HTTP API
inline constexpr std::string_view kForbidden = "forbidden";         // valid, but it does not allow this
}  // namespace codes

// Bounds the parser enforces.
inline constexpr std::size_t kMaxIdBytes = 64;  // a string id, unescaped UTF-8
inline constexpr std::uint32_t kMaxHistoryLimit = 10000;

struct Since {
  std::string epoch;
  std::uint64_t offset = 0;
};
struct InitCommand {
  std::string person;
  bool has_person = true;  // false: left out (allowed only with token auth, which names the person)
  std::optional<std::string> join;  // absent: create a room
  std::optional<Since> since;       // present: resume
  std::optional<std::string> token;  // --auth-key: a JWT (or in the upgrade URL)
};
struct RefreshCommand {
  std::string token;
};
enum class PublishKind : std::uint8_t { kLocation, kMessage, kState };
struct PublishCommand {
  PublishKind kind;
  std::string_view latitude, longitude;  // raw JSON number text (kLocation)
  std::string_view data;                 // raw JSON text of any value (kMessage, kState)
  std::string_view id;  // raw JSON text of "id" (a string literal with its quotes, or an integer), empty if absent
};
struct HistoryCommand {
  std::optional<std::uint64_t> since;
  std::optional<std::uint32_t> limit;  // 1..kMaxHistoryLimit
};
struct PresenceCommand {};
struct DestroyCommand {
  std::string join;
};
struct UnknownCommand {
  std::string type;
};
struct InvalidCommand {
  std::string_view code;     // one of codes::
  std::string_view message;  // an English sentence ending in a period
  std::string_view id;       // raw text of a valid "id" on a publication, so the error can name it; else empty
};

using ClientMessage = std::variant<InitCommand, PublishCommand, HistoryCommand, PresenceCommand, DestroyCommand,
                                   RefreshCommand, UnknownCommand, InvalidCommand>;

// One per event loop: it owns simdjson's reusable buffers. The string_views in
// a result point into this parser (or at static text: code, message) and stay
// valid until the next parse().
enum class InitVersion { kNotInit, kV1, kV2, kUnsupported };

class ClientMessageParserV2 {
 public:
  ClientMessage parse(std::string_view text);
  // Which protocol the last message asked for, if it was an init: none or
  // "v":1 is v1 (the original's clients send no "v"), "v":2 is v2.
  InitVersion init_version() const { return init_version_; }

  // The parser's copy of the text last parsed: every raw view in the last
  // result (latitude, longitude, data, id) lies inside it.
  std::string_view last_input() const { return {padded_.data(), size_}; }

 private:
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser validator_;
  // Never empty: an empty message must still point simdjson at real memory.
  simdjson::padded_string padded_{std::size_t{4096}};
  std::size_t size_ = 0;
  InitVersion init_version_ = InitVersion::kNotInit;
};

}  // namespace rk::protocol::v2
