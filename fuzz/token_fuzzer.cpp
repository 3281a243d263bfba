// Arbitrary bytes against token auth, two ways: as a whole token (header,
// signature and all, almost always refused), and as the claims of a token
// signed with the server's own HS256 secret, so that every claim rule runs on
// hostile JSON. Whatever comes in, a verdict is either a refusal with a
// reason that never quotes the token, or claims that keep the rules: a
// subject of 1 to 256 bytes, a name likewise, and joins allowed exactly for
// the rooms listed (or all).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/token_verifier.h"
#include "bench/bench_tokens.h"

namespace {

constexpr std::string_view kSecret = "fuzzing-secret-fuzzing-secret-0123456789";
constexpr std::int64_t kNow = 1'800'000'000;

void check(bool condition) {
  if (!condition) std::abort();
}

std::string signed_token(std::string_view claims) {
  return rk::bench::sign_hs256(R"({"alg":"HS256","typ":"JWT"})", claims, kSecret);
}

void check_verdict(const rk::auth::Verdict& verdict, std::string_view token) {
  if (!verdict.ok()) {
    check(!verdict.reason.empty());
    check(token.size() < 16 || verdict.reason.find(token) == std::string::npos);
    return;
  }
  const auto& claims = verdict.claims;
  check(!claims.subject.empty() && claims.subject.size() <= 256);
  check(!claims.name.empty() && claims.name.size() <= 256);
  // The rooms a token lists are exactly the ones it may join (or all).
  for (const std::string& room : claims.rooms) check(claims.may_join(room));
  constexpr std::string_view kProbe = "a key the token may not name";
  const bool listed = std::find(claims.rooms.begin(), claims.rooms.end(), kProbe) != claims.rooms.end();
  check(claims.may_join(kProbe) == (claims.all_rooms || listed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<rk::auth::TokenVerifier> verifier = [] {
    std::string error;
    auto v = rk::auth::TokenVerifier::from_key(kSecret, {"", "", 60}, error);
    check(v != nullptr);
    return v;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_verdict(verifier->verify(input, kNow), input);
  const std::string token = signed_token(input);
  check_verdict(verifier->verify(token, kNow), token);
  std::string decoded;
  // The claims part of the token signed above decodes back to the input.
  const std::string_view encoded_claims(token.data() + token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  check(rk::auth::decode_base64url(encoded_claims, decoded) && decoded == input);
  return 0;
}
