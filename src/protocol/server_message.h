#pragma once
// Protocol v1, server to client: each reply as a complete, shareable text frame.
#include <string_view>

#include "util/shared_frame.h"

namespace rk::protocol {

// `person_json` is the sender's name already encoded as a JSON string literal
// (done once at init), so relaying never re-encodes it.
FramePtr location_frame(std::string_view person_json, std::string_view latitude, std::string_view longitude);
FramePtr relay_frame(std::string_view person_json, std::string_view data);
FramePtr init_reply_frame(std::string_view key);
FramePtr connection_message_frame(std::string_view message);
// The same for a message that is a name (already a JSON string literal) and
// a suffix needing no escapes: the bytes connection_message_frame(name + suffix) gives.
FramePtr connection_message_frame_after(std::string_view name_json, std::string_view suffix);
FramePtr error_frame(std::string_view message);

namespace notice {
inline constexpr std::string_view kJoined = " Joined!";
inline constexpr std::string_view kDisconnected = " Disconnected!";
inline constexpr std::string_view kDestroyed = " Session Destroyed!";
}  // namespace notice

namespace errors {
inline constexpr std::string_view kInvalidFormat = "Invalid message format.";
inline constexpr std::string_view kJoinKeyNotFound = "Join Key Not Found!";
inline constexpr std::string_view kBinary = "Binary messages are not supported: send JSON as text.";
inline constexpr std::string_view kAlreadyInRoom = "Already in a room: open a new connection to join another.";
inline constexpr std::string_view kDestroyOtherRoom = "Not your room: you can only destroy the room you are in.";
inline constexpr std::string_view kStoreUnavailableCreate = "Room store unavailable: the room was not created, try again.";
inline constexpr std::string_view kStoreUnavailableJoin = "Room store unavailable: could not look up the join key, try again.";
inline constexpr std::string_view kRateLimited = "Rate limit: too many messages per second; this one was dropped.";
inline constexpr std::string_view kKicked = "Kicked: the server removed you from the room.";
inline constexpr std::string_view kRoomFull = "Room is full: it has reached the server's member limit.";
inline constexpr std::string_view kInitTimeout = "No init in time: send init first, right after connecting.";
inline constexpr std::string_view kRoomLimit = "Room limit reached: the server holds as many rooms as it may; try again later.";
inline constexpr std::string_view kTooManyFailedJoins =
    "Too many joins with unknown keys from your address: wait a minute before joining again.";
inline constexpr std::string_view kTooManyCreates =
    "Too many rooms created from your address: wait a minute before creating another.";
inline constexpr std::string_view kStoreUnavailableDestroy = "Room store unavailable: the room was not destroyed, try again.";
}  // namespace errors

}  // namespace rk::protocol
