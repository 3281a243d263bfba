#include "session/access.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include <openssl/sha.h>

#include "session/loop_context.h"

namespace rk::session {
namespace {

AccessDenied unauthorized(const auth::Verdict& verdict) {
  const bool expired = verdict.error == auth::TokenError::kExpired;
  return {expired ? AccessDenied::Kind::kExpired : AccessDenied::Kind::kUnauthorized,
          "Unauthorized: " + verdict.reason + "."};
}

// Every store keeps an owner in 255 bytes (the original's VARCHAR(255) on
// MariaDB). Names and token subjects have no such limit, so a longer one is
// kept as its digest: as unique, and the same on every comparison.
constexpr std::size_t kOwnerColumnBytes = 255;

std::string stored_owner(std::string_view identity) {
  if (identity.size() <= kOwnerColumnBytes) return std::string(identity);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string owner = "sha256:";
  for (const unsigned char byte : digest) {
    owner += kHex[byte >> 4];
    owner += kHex[byte & 15];
  }
  return owner;
}

}  // namespace

std::optional<AccessDenied> authorize_init(ClientLink& link, const std::optional<std::string>& token,
                                           const std::optional<std::string>& join) {
  const auth::TokenVerifier* verifier = link.loop().verifier;
  if (!verifier) return std::nullopt;
  if (token) {
    auto verdict = verifier->verify(*token, link.loop().unix_ms() / 1000);
    if (!verdict.ok()) return unauthorized(verdict);
    link.set_claims(std::make_unique<auth::Claims>(std::move(verdict.claims)));
  }
  const auth::Claims* claims = link.claims();
  if (!claims) return AccessDenied{AccessDenied::Kind::kUnauthorized, "Unauthorized: no token."};
  if (!join && !claims->may_create)
    return AccessDenied{AccessDenied::Kind::kForbidden, "Forbidden: this token may not create rooms."};
  if (join && !claims->may_join(*join))
    return AccessDenied{AccessDenied::Kind::kForbidden, "Forbidden: this token may not join this room."};
  return std::nullopt;
}

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (allowed.empty() || origin.empty()) return true;
  for (const std::string& one : allowed) {
    if (one.size() == origin.size() &&
        std::equal(one.begin(), one.end(), origin.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return true;
  }
  return false;
}

std::string owner_for(const ClientLink& link, std::string_view person) {
  const auth::Claims* claims = link.claims();
  return stored_owner(claims ? std::string_view(claims->subject) : person);
}

bool is_owner(const ClientLink& link, std::string_view person, std::string_view room_owner) {
  return !room_owner.empty() && owner_for(link, person) == room_owner;
}

bool may_destroy(const ClientLink& link, std::string_view room_owner) {
  const auth::Claims* claims = link.claims();
  if (!claims) return true;
  return claims->admin || (!room_owner.empty() && stored_owner(claims->subject) == room_owner);
}

std::optional<AccessDenied> refresh_token(ClientLink& link, std::string_view token) {
  const auth::TokenVerifier* verifier = link.loop().verifier;
  if (!verifier) return AccessDenied{AccessDenied::Kind::kUnauthorized, "Unauthorized: token auth is off."};
  auto verdict = verifier->verify(token, link.loop().unix_ms() / 1000);
  if (!verdict.ok()) return unauthorized(verdict);
  const auth::Claims* current = link.claims();
  if (current && current->subject != verdict.claims.subject)
    return AccessDenied{AccessDenied::Kind::kForbidden, "Forbidden: a refreshed token must have the same \"sub\"."};
  link.set_claims(std::make_unique<auth::Claims>(std::move(verdict.claims)));
  return std::nullopt;
}

}  // namespace rk::session
