#pragma once
// Protocol v2, server to client: each message as a complete text frame
// (docs/protocol-v2.md). A publication's JSON is written once per room
// message and kept as it is in history and last-known state; replies that
// list publications (joined, history) splice that JSON in without re-encoding.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/shared_frame.h"

namespace rk::protocol::v2 {

enum class PublicationType : std::uint8_t { kLocation, kMessage, kState };

struct PublicationFields {
  PublicationType type;
  std::string_view from;         // member id
  std::string_view person_json;  // a JSON string literal
  std::string_view first;        // latitude (kLocation) or data (kMessage, kState): raw JSON
  std::string_view second;       // longitude (kLocation)
  std::uint64_t offset;
  std::int64_t at_ms;
};
// Replaces `out` with the publication's JSON (its buffer reused).
void write_publication(const PublicationFields& fields, std::string& out);
FramePtr publication_frame(const PublicationFields& fields);

struct MemberView {
  std::string_view id;
  std::string_view person_json;
};

struct Joined {
  std::string_view key;
  bool created = false;
  bool owner = false;  // the joiner is the room's owner
  MemberView you;
  std::span<const MemberView> members;
  std::string_view epoch;
  std::uint64_t offset = 0;
  std::span<const std::string_view> state;  // publications' JSON, oldest first
  bool resumed = false;             // `since` was sent: recovered and missed follow
  bool recovered = false;
  std::span<const std::string_view> missed;
};
FramePtr joined_frame(const Joined& joined);

FramePtr presence_join_frame(const MemberView& member);
FramePtr presence_leave_frame(const MemberView& member, std::string_view reason);
FramePtr presence_list_frame(std::span<const MemberView> members);
FramePtr history_frame(std::string_view epoch, std::uint64_t offset, std::span<const std::string_view> publications);
FramePtr ack_frame(std::string_view id_json, std::uint64_t offset);
// {"type":"reset","epoch":E,"offset":O,"state":[...]}: the member's sequence
// was broken (cluster mode: Redis was unreachable); it goes on from (E, O).
FramePtr reset_frame(std::string_view epoch, std::uint64_t offset, std::span<const std::string_view> state);
// {"type":"refreshed","exp":SECONDS}: the new token's expiry.
FramePtr refreshed_frame(std::int64_t expires_at);
FramePtr destroyed_frame(std::string_view key);
// `id_json`, if not empty, names the message the error is about.
FramePtr error_frame(std::string_view code, std::string_view message, std::string_view id_json = {});

}  // namespace rk::protocol::v2
