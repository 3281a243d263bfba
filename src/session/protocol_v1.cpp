#include "session/protocol_v1.h"

#include "protocol/server_message.h"
#include "session/access.h"
#include "session/loop_context.h"

namespace rk::session {
using ws::CloseCode;
namespace errors = protocol::errors;

ProtocolV1::ProtocolV1(ClientLink& link)
    : seat_(link),
      rate_(link.loop().settings.max_messages_per_second, link.loop().loop.now()) {}

void ProtocolV1::on_text(std::string_view text) {
  auto message = link().loop().parser.parse(text);
  if (in_room()) return on_room_message(message);
  on_init(message);
}

void ProtocolV1::on_binary() {
  if (!in_room()) return fail(errors::kInvalidFormat, CloseCode::kNormal, "invalid message format");
  reply_error(errors::kBinary);
}

void ProtocolV1::on_token_expired() {
  fail("Unauthorized: token expired.", CloseCode::kPolicyViolation, "token expired");
}

void ProtocolV1::on_kicked() { fail(errors::kKicked, CloseCode::kPolicyViolation, "kicked"); }

void ProtocolV1::on_init_timeout() { fail(errors::kInitTimeout, CloseCode::kPolicyViolation, "no init in time"); }

void ProtocolV1::on_init(protocol::ClientMessage& message) {
  auto* init = std::get_if<protocol::InitCommand>(&message);
  if (!init) return fail(errors::kInvalidFormat, CloseCode::kNormal, "invalid message format");
  if (auto denied = authorize_init(link(), init->token, init->join))
    return fail(denied->message, CloseCode::kPolicyViolation, "not authorized");
  const auth::Claims* claims = link().claims();
  if (!claims && !init->has_person) return fail(errors::kInvalidFormat, CloseCode::kNormal, "invalid message format");
  seat_.name(claims ? claims->name : init->person);
  auto then = [this](const Entry& entry) { on_entry(entry); };
  if (!init->join) return link().room_entry().create(owner_for(link(), init->person), then);
  link().room_entry().join(std::move(*init->join), then);
}

void ProtocolV1::on_entry(const Entry& entry) {
  switch (entry.outcome) {
    case EntryOutcome::kEntered:
      seat_.take(*entry.room);
      link().on_entered(entry.key, entry.created);
      if (entry.created) link().send(protocol::init_reply_frame(entry.key));
      return;
    case EntryOutcome::kNotFound:
      return fail(errors::kJoinKeyNotFound, CloseCode::kNormal, "join key not found");
    case EntryOutcome::kTooManyCreates:
      return fail(errors::kTooManyCreates, CloseCode::kPolicyViolation, "too many creates");
    case EntryOutcome::kTooManyJoins:
      return fail(errors::kTooManyFailedJoins, CloseCode::kPolicyViolation, "too many unknown join keys");
    case EntryOutcome::kRoomFull:
      return fail(errors::kRoomFull, CloseCode::kPolicyViolation, "room full");
    case EntryOutcome::kRoomLimit:
      return fail(errors::kRoomLimit, CloseCode::kTryAgainLater, "room limit reached");
    case EntryOutcome::kStoreUnavailable:
      return reply_error(entry.key.empty() ? errors::kStoreUnavailableCreate : errors::kStoreUnavailableJoin);
  }
}

bool ProtocolV1::within_rate_limit() {
  return admit(rate_, link(), [] { return protocol::error_frame(errors::kRateLimited); });
}

void ProtocolV1::on_room_message(protocol::ClientMessage& message) {
  if (!within_rate_limit()) return;
  std::visit(
      [this](auto& command) {
        using T = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<T, protocol::LocationCommand>) {
          seat_.publish({Publication::Type::kLocation, command.latitude, command.longitude, {}});
        } else if constexpr (std::is_same_v<T, protocol::RelayCommand>) {
          seat_.publish({Publication::Type::kMessage, command.data, {}, {}});
        } else if constexpr (std::is_same_v<T, protocol::DestroyCommand>) {
          if (command.join != seat_.room()->key()) return reply_error(errors::kDestroyOtherRoom);
          if (!may_destroy(link(), seat_.room()->owner())) return reply_error(kOnlyOwnerMayDestroy);
          destroy_room();
        } else if constexpr (std::is_same_v<T, protocol::InitCommand>) {
          reply_error(errors::kAlreadyInRoom);
        } else if constexpr (std::is_same_v<T, protocol::InvalidCommand>) {
          reply_error(command.error);
        }
        // UnknownCommand: ignored, as the original server did.
      },
      message);
}

void ProtocolV1::destroy_room() {
  link().room_entry().destroy(seat_.room()->key(), [this](bool available) {
    if (!available) reply_error(errors::kStoreUnavailableDestroy);
  });
}

void ProtocolV1::on_room_destroyed(std::string_view key) {
  std::string notice(key);
  notice.append(protocol::notice::kDestroyed);
  link().send(protocol::connection_message_frame(notice));
  link().close(CloseCode::kNormal, "room destroyed");
}

void ProtocolV1::reply_error(std::string_view error) { link().send(protocol::error_frame(error)); }

void ProtocolV1::fail(std::string_view error, CloseCode code, std::string_view reason) {
  reply_error(error);
  link().close(code, reason);
}

}  // namespace rk::session
