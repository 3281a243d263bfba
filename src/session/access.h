#pragma once
// Token auth as both protocols apply it (--auth-key): which token an init
// stands on (its own "token", else the upgrade URL's), whether that token may
// create the room or join it, and a v2 refresh. The client's claims live in
// its connection (ClientLink::claims()), which also watches their expiry.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "session/client_link.h"

namespace rk::session {

struct AccessDenied {
  enum class Kind { kUnauthorized, kExpired, kForbidden };
  Kind kind;
  std::string message;  // "Unauthorized: bad token signature." and the like
};

// Auth off: nothing to check (nullopt). On: nullopt once the link holds valid
// claims that allow this create (no `join`) or join.
std::optional<AccessDenied> authorize_init(ClientLink& link, const std::optional<std::string>& token,
                                           const std::optional<std::string>& join);

// Who the store records as a new room's owner: the token's `sub`, or without
// auth the creator's person name; one over 255 bytes as "sha256:" and its
// digest in hex (the stores keep 255 bytes).
std::string owner_for(const ClientLink& link, std::string_view person);
// Whether this client is its room's owner (v2 `joined.owner`).
bool is_owner(const ClientLink& link, std::string_view person, std::string_view room_owner);
// Auth off: anyone in the room may destroy it, as in the original. On: only
// its owner, or an `admin` token.
bool may_destroy(const ClientLink& link, std::string_view room_owner);
inline constexpr std::string_view kOnlyOwnerMayDestroy = "Only the room's owner can destroy it.";

// --allowed-origins: an upgrade's Origin header (if it has one) must be listed.
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);

// Protocol v2's refresh: a new token for the same `sub` replaces the claims.
std::optional<AccessDenied> refresh_token(ClientLink& link, std::string_view token);

}  // namespace rk::session
