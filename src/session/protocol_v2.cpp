#include "session/protocol_v2.h"

#include <vector>

#include "protocol/server_message.h"
#include "protocol/server_message_v2.h"
#include "session/access.h"
#include "session/loop_context.h"

namespace rk::session {
using ws::CloseCode;
namespace v2 = protocol::v2;
namespace codes = protocol::v2::codes;

namespace {
// Texts the v1 errors already have, word for word; v2 adds its codes.
using protocol::errors::kAlreadyInRoom;
using protocol::errors::kBinary;
using protocol::errors::kInitTimeout;
using protocol::errors::kRateLimited;
using protocol::errors::kRoomFull;
using protocol::errors::kRoomLimit;
using protocol::errors::kStoreUnavailableCreate;
using protocol::errors::kStoreUnavailableDestroy;
using protocol::errors::kStoreUnavailableJoin;
constexpr std::string_view kTooManyJoins = protocol::errors::kTooManyFailedJoins;
constexpr std::string_view kNotYourRoom = protocol::errors::kDestroyOtherRoom;
constexpr std::string_view kNotFound = "Join key not found.";
constexpr std::string_view kInitRequired = "Send init first: create or join a room before anything else.";
constexpr std::string_view kUnsupportedVersion = "Unsupported protocol version: this server speaks \"v\":1 and \"v\":2.";
constexpr std::string_view kUnknownType = "Unknown message type: this one was ignored.";
constexpr std::string_view kNoPerson = "Invalid init: \"person\" is required.";

std::string_view code_of(const AccessDenied& denied) {
  switch (denied.kind) {
    case AccessDenied::Kind::kExpired:
      return codes::kTokenExpired;
    case AccessDenied::Kind::kForbidden:
      return codes::kForbidden;
    case AccessDenied::Kind::kUnauthorized:
      break;
  }
  return codes::kUnauthorized;
}

std::vector<std::string_view> views_of(const std::vector<std::string>& texts) {
  return {texts.begin(), texts.end()};
}

// Members on other nodes (cluster mode) first, then this node's, each oldest first.
std::vector<v2::MemberView> member_views(const room::Room& room) {
  std::vector<v2::MemberView> views;
  views.reserve(room.member_count());
  for (const auto& remote : room.remote_members()) views.push_back({remote.info.id, remote.info.person_json});
  for (const auto& seat : room.members()) views.push_back({seat.member()->info().id, seat.member()->info().person_json});
  return views;
}
}  // namespace

ProtocolV2::ProtocolV2(ClientLink& link)
    : seat_(link),
      rate_(link.loop().settings.max_messages_per_second, link.loop().loop.now()) {}

void ProtocolV2::on_text(std::string_view text) {
  auto message = link().loop().parser_v2.parse(text);
  if (in_room()) return on_room_message(message);
  on_init(message);
}

void ProtocolV2::on_binary() {
  if (!in_room()) return fail(codes::kBinaryNotSupported, kBinary, CloseCode::kNormal);
  reply_error(codes::kBinaryNotSupported, kBinary);
}

void ProtocolV2::on_token_expired() {
  fail(codes::kTokenExpired, "Unauthorized: token expired.", CloseCode::kPolicyViolation);
}

void ProtocolV2::on_kicked() {
  fail(codes::kKicked, protocol::errors::kKicked, CloseCode::kPolicyViolation);
}

// A new token for the same `sub`, before the old one expires. A refused one
// leaves the old token in force (until its own expiry).
void ProtocolV2::on_refresh(const v2::RefreshCommand& command) {
  if (auto denied = refresh_token(link(), command.token)) return reply_error(code_of(*denied), denied->message);
  link().send(v2::refreshed_frame(link().claims()->expires_at));
}

void ProtocolV2::on_init_timeout() { fail(codes::kInitTimeout, kInitTimeout, CloseCode::kPolicyViolation); }

// ---------------------------------------------------------------- joining

void ProtocolV2::on_init(v2::ClientMessage& message) {
  if (link().loop().parser_v2.init_version() == v2::InitVersion::kUnsupported)
    return fail(codes::kUnsupportedVersion, kUnsupportedVersion, CloseCode::kNormal);
  if (auto* invalid = std::get_if<v2::InvalidCommand>(&message))
    return fail(invalid->code, invalid->message, CloseCode::kNormal);
  auto* init = std::get_if<v2::InitCommand>(&message);
  if (!init) return fail(codes::kInitRequired, kInitRequired, CloseCode::kNormal);
  if (auto denied = authorize_init(link(), init->token, init->join))
    return fail(code_of(*denied), denied->message, CloseCode::kPolicyViolation);
  const auth::Claims* claims = link().claims();
  if (!claims && !init->has_person) return fail(codes::kInvalidInit, kNoPerson, CloseCode::kNormal);
  seat_.name(claims ? claims->name : init->person);
  since_ = std::move(init->since);
  identity_ = owner_for(link(), init->person);
  auto then = [this](const Entry& entry) { on_entry(entry); };
  if (!init->join) return link().room_entry().create(identity_, then);
  link().room_entry().join(std::move(*init->join), then);
}

void ProtocolV2::on_entry(const Entry& entry) {
  switch (entry.outcome) {
    case EntryOutcome::kEntered:
      link().on_entered(entry.key, entry.created);
      return send_joined(entry);
    case EntryOutcome::kNotFound:
      return fail(codes::kNotFound, kNotFound, CloseCode::kNormal);
    case EntryOutcome::kTooManyCreates:
      return fail(codes::kTooManyCreates, protocol::errors::kTooManyCreates, CloseCode::kPolicyViolation);
    case EntryOutcome::kTooManyJoins:
      return fail(codes::kTooManyJoins, kTooManyJoins, CloseCode::kPolicyViolation);
    case EntryOutcome::kRoomFull:
      return fail(codes::kRoomFull, kRoomFull, CloseCode::kPolicyViolation);
    case EntryOutcome::kRoomLimit:
      return fail(codes::kRoomLimit, kRoomLimit, CloseCode::kTryAgainLater);
    case EntryOutcome::kStoreUnavailable:
      return reply_error(codes::kStoreUnavailable, entry.key.empty() ? kStoreUnavailableCreate : kStoreUnavailableJoin);
  }
}

// Resume is all or nothing: every publication after the client's offset is
// still held and of this epoch, or none is sent. Everything runs on the
// room's loop, so the publications after `joined` follow `missed` exactly.
void ProtocolV2::send_joined(const Entry& entry) {
  room::Room& room = *entry.room;
  const room::RoomLog& log = room.log();
  std::vector<std::string> missed;
  bool recovered = false;
  if (since_) {
    const std::uint64_t after = since_->offset;
    const bool same_sequence = since_->epoch == room.epoch() && after <= room.offset();
    const bool all_held = after == room.offset() || (log.history_count() && log.first_offset() <= after + 1);
    recovered = same_sequence && all_held;
    if (recovered) {
      for (std::size_t i = log.first_after(after); i < log.history_count(); ++i) missed.push_back(v2_json_of(log.at(i)));
    }
  }
  std::vector<std::string> state;
  state.reserve(log.states().size());
  for (const auto& entry : log.states()) state.push_back(v2_json_of(entry));

  seat_.take(room);
  const auto members = member_views(room);
  const auto& me = seat_.info();
  const bool owner = !room.owner().empty() && room.owner() == identity_;
  link().send(v2::joined_frame({entry.key, entry.created, owner, {me.id, me.person_json}, members, room.epoch(),
                               room.offset(), views_of(state), since_.has_value(), recovered, views_of(missed)}));
  since_.reset();
  identity_ = std::string();
}

// ---------------------------------------------------------------- in a room

bool ProtocolV2::within_rate_limit() {
  return admit(rate_, link(), [] { return v2::error_frame(codes::kRateLimited, kRateLimited); });
}

void ProtocolV2::on_room_message(v2::ClientMessage& message) {
  if (!within_rate_limit()) return;
  std::visit(
      [this](auto& command) {
        using T = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<T, v2::PublishCommand>) {
          on_publish(command);
        } else if constexpr (std::is_same_v<T, v2::HistoryCommand>) {
          on_history(command);
        } else if constexpr (std::is_same_v<T, v2::PresenceCommand>) {
          on_presence();
        } else if constexpr (std::is_same_v<T, v2::DestroyCommand>) {
          on_destroy(command);
        } else if constexpr (std::is_same_v<T, v2::RefreshCommand>) {
          on_refresh(command);
        } else if constexpr (std::is_same_v<T, v2::InitCommand>) {
          reply_error(codes::kAlreadyInRoom, kAlreadyInRoom);
        } else if constexpr (std::is_same_v<T, v2::InvalidCommand>) {
          reply_error(command.code, command.message, command.id);
        } else if constexpr (std::is_same_v<T, v2::UnknownCommand>) {
          reply_error(codes::kUnknownType, kUnknownType);
        }
      },
      message);
}

void ProtocolV2::on_publish(const v2::PublishCommand& command) {
  const auto type = command.kind == v2::PublishKind::kLocation ? Publication::Type::kLocation
                    : command.kind == v2::PublishKind::kState  ? Publication::Type::kState
                                                               : Publication::Type::kMessage;
  const bool location = type == Publication::Type::kLocation;
  const auto offset =
      seat_.publish({type, location ? command.latitude : command.data, location ? command.longitude : "", command.id});
  if (offset && !command.id.empty()) link().send(v2::ack_frame(command.id, *offset));
}

void ProtocolV2::on_published(std::string_view ack_id, std::uint64_t offset) {
  if (!ack_id.empty()) link().send(v2::ack_frame(ack_id, offset));
}

void ProtocolV2::on_history(const v2::HistoryCommand& command) {
  const room::Room& room = *seat_.room();
  const room::RoomLog& log = room.log();
  std::size_t begin = command.since ? log.first_after(*command.since) : 0;
  std::size_t end = log.history_count();
  if (command.limit && end - begin > *command.limit) {
    if (command.since) {
      end = begin + *command.limit;  // the first L after `since`
    } else {
      begin = end - *command.limit;  // the latest L
    }
  }
  std::vector<std::string> publications;
  publications.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) publications.push_back(v2_json_of(log.at(i)));
  link().send(v2::history_frame(room.epoch(), room.offset(), views_of(publications)));
}

void ProtocolV2::on_presence() { link().send(v2::presence_list_frame(member_views(*seat_.room()))); }

void ProtocolV2::on_destroy(const v2::DestroyCommand& command) {
  if (command.join != seat_.room()->key()) return reply_error(codes::kNotYourRoom, kNotYourRoom);
  if (!may_destroy(link(), seat_.room()->owner())) return reply_error(codes::kForbidden, kOnlyOwnerMayDestroy);
  link().room_entry().destroy(command.join, [this](bool available) {
    if (!available) reply_error(codes::kStoreUnavailable, kStoreUnavailableDestroy);
  });
}

void ProtocolV2::on_room_destroyed(std::string_view key) {
  link().send(v2::destroyed_frame(key));
  link().close(CloseCode::kNormal, "room destroyed");
}

void ProtocolV2::reply_error(std::string_view code, std::string_view message, std::string_view id) {
  link().send(v2::error_frame(code, message, id));
}

void ProtocolV2::fail(std::string_view code, std::string_view message, CloseCode close_code) {
  reply_error(code, message);
  link().close(close_code, message.substr(0, 100));
}

}  // namespace rk::session
