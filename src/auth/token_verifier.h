#pragma once
// Token auth (--auth-key): checks a JWT's signature with the one key the
// server was given (HS256 secret, or an RS256 / ES256 public key; the token's
// `alg` must be that key's, so never `none`), then its claims: `sub` and
// `exp` required, `nbf`, `iss`, `aud` checked with a leeway, and roomkey's own
// `name`, `rooms`, `create` and `admin`. Immutable once loaded: every loop
// verifies with the same verifier, without a lock.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace rk::auth {

struct Claims {
  std::string subject;  // `sub`: the member's identity
  std::string name;     // `name`, else `sub`: the person name others see
  std::int64_t expires_at = 0;  // `exp`, Unix seconds
  bool all_rooms = true;        // no `rooms` claim, or "*"
  std::vector<std::string> rooms;
  bool may_create = true;  // `create`
  bool admin = false;      // `admin`: may destroy any room it is in

  bool may_join(std::string_view room_key) const;
};

enum class TokenError { kNone, kInvalid, kExpired };

struct Verdict {
  TokenError error = TokenError::kInvalid;
  std::string reason;  // for "Unauthorized: <reason>"; never holds the token
  Claims claims;
  bool ok() const { return error == TokenError::kNone; }
};

struct VerifierOptions {
  std::string issuer;    // empty: not checked
  std::string audience;  // empty: not checked
  std::int64_t leeway_s = 60;
};

class TokenVerifier {
 public:
  // Reads `key_file`: a PEM public key (RSA: RS256, EC P-256: ES256) or else
  // an HS256 secret of at least 32 bytes (one trailing newline ignored).
  // Null on failure, with the reason in `error`.
  static std::unique_ptr<TokenVerifier> load(const std::string& key_file, VerifierOptions options,
                                             std::string& error);
  // The same from the key's bytes (tests, fuzzing).
  static std::unique_ptr<TokenVerifier> from_key(std::string_view key, VerifierOptions options, std::string& error);
  ~TokenVerifier();
  TokenVerifier(const TokenVerifier&) = delete;
  TokenVerifier& operator=(const TokenVerifier&) = delete;

  Verdict verify(std::string_view token, std::int64_t now_s) const;
  std::string_view algorithm() const { return algorithm_; }

 private:
  TokenVerifier(VerifierOptions options, std::string algorithm, std::string secret, EVP_PKEY* public_key);
  bool signature_matches(std::string_view signed_part, std::string_view signature) const;

  VerifierOptions options_;
  std::string algorithm_;  // HS256, RS256 or ES256
  std::string secret_;     // HS256
  EVP_PKEY* public_key_;   // RS256, ES256
};

// base64url without padding, as JWTs use it; false on any other character.
bool decode_base64url(std::string_view text, std::string& out);

}  // namespace rk::auth
