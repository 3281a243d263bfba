#pragma once
// Tokens for a roomkey that runs with --auth-key: one given as is, or one
// minted per client from the HS256 secret (its `sub` is the client's name,
// valid for an hour), so the bench measures the server as its users run it.
#include <optional>
#include <string>
#include <string_view>

namespace rk::bench {

class BenchTokens {
 public:
  // Neither set: no tokens. Throws std::runtime_error for an unreadable or
  // short secret file.
  BenchTokens(std::string fixed_token, const std::string& secret_file);

  // The token for the client named `person` (empty when inactive).
  std::string for_person(std::string_view person) const;

 private:
  std::string fixed_;
  std::string secret_;
};

// A JWS compact token: base64url(header).base64url(claims).HS256 signature.
// The unit tests and the token fuzzer sign their tokens with it too.
std::string sign_hs256(std::string_view header_json, std::string_view claims_json, std::string_view secret);

// Minted with `secret` (HS256): {"sub":SUB,"exp":EXPIRES}. `sub` is written
// as is, so it must need no JSON escaping (the bench's names do not).
std::string mint_hs256(std::string_view secret, std::string_view sub, long long expires_at);

}  // namespace rk::bench
