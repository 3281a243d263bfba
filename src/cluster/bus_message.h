#pragma once
// What nodes tell each other about a room, on its channel and in its Redis
// keys: a publication with its place in the room's sequence, a member coming
// or going, the room's end. One letter for the kind, then length-prefixed
// fields (`5:hello`), so any bytes may be in a field and a reader never
// searches for a delimiter.
//
// A publication is written in two halves: the node writes everything but the
// sequence (publication_body), and the publish script, which takes the next
// offset, puts `P`, the epoch and the offset in front. So the message Redis
// passes on, keeps in history and hands to a node that attaches later is the
// same string.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rk::cluster {

enum class MessageKind : char { kPublication = 'P', kJoin = 'J', kLeave = 'L', kDestroyed = 'D', kKick = 'K' };

struct PublicationFields {
  std::int64_t at_ms = 0;
  char kind = '1';  // '0' location, '1' message, '2' state (room::Kind's order)
  std::string_view node;
  std::string_view member_id;
  std::string_view person_json;
  std::string_view first;   // latitude, or data
  std::string_view second;  // longitude
  std::string_view ack_id;  // the v2 publish's "id" as sent (raw JSON), or empty
};

struct BusMessage {
  MessageKind kind = MessageKind::kPublication;
  // kPublication
  std::string_view epoch;
  std::uint64_t offset = 0;
  PublicationFields publication;
  // kJoin and kLeave (node and member_id), kDestroyed (node), kKick (node,
  // and the member_id or the person_json of whom to remove; the other empty)
  std::string_view node;
  std::string_view member_id;
  std::string_view person_json;  // kJoin, kKick
  char reason = 'c';             // kLeave: 'c' closed, 't' timeout, 'd' dropped
};

// Everything of a publication after its epoch and offset.
void write_publication_body(const PublicationFields& fields, std::string& out);
// The whole message, as the publish script writes it (tests, local fallback).
std::string publication_message(std::string_view epoch, std::uint64_t offset, std::string_view body);
std::string join_message(std::string_view node, std::string_view member_id, std::string_view person_json);
std::string leave_message(std::string_view node, std::string_view member_id, char reason);
std::string destroyed_message(std::string_view node);
// The HTTP API removes members from a room on every node: by id, or everyone of a name.
std::string kick_message(std::string_view node, std::string_view member_id, std::string_view person_json);

// Views into `text`; nothing if it is not a well-formed message.
std::optional<BusMessage> parse_bus_message(std::string_view text);

// The members hash's field for a member: NODE/ID.
std::string member_field(std::string_view node, std::string_view member_id);
// The state hash's field for a person's latest location ('0') or state ('2').
std::string state_field(char kind, std::string_view person_json);

}  // namespace rk::cluster
