// Arbitrary bytes against token auth, two ways: as a whole token (header,
// signature and all, almost always refused), and as the claims of a token
// signed with the server's own HS256 secret, so that every claim rule runs on
// hostile JSON. Whatever comes in, a verdict is either a refusal with a
// reason that never quotes the token, or claims that keep the rules: a
// subject of 1 to 256 bytes, a name likewise, rooms only when not all rooms.
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "auth/token_verifier.h"

namespace {

constexpr std::string_view kSecret = "fuzzing-secret-fuzzing-secret-0123456789";
constexpr std::int64_t kNow = 1'800'000'000;

void check(bool condition) {
  if (!condition) std::abort();
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) out.push_back(kAlphabet[(bits >> (count -= 6)) & 63]);
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

std::string signed_token(std::string_view claims) {
  std::string token = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &length);
  return token + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), length));
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
  check(claims.all_rooms || !claims.may_join("a key not in the list, surely"));
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
  check(rk::auth::decode_base64url(base64url(input), decoded) && decoded == input);
  return 0;
}
