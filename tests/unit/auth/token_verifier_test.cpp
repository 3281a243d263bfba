#include "auth/token_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "bench/bench_tokens.h"

namespace rk::auth {
namespace {

constexpr std::string_view kSecret = "unit-test-secret-unit-test-secret-42";
constexpr std::int64_t kNow = 1'800'000'000;

std::string token(std::string_view claims, std::string_view header = R"({"alg":"HS256","typ":"JWT"})",
                  std::string_view secret = kSecret) {
  return bench::sign_hs256(header, claims, secret);
}

std::unique_ptr<TokenVerifier> verifier(VerifierOptions options = {}) {
  std::string error;
  auto v = TokenVerifier::from_key(std::string(kSecret) + "\n", std::move(options), error);
  EXPECT_TRUE(v) << error;
  return v;
}

TEST(Base64Url, DecodesWithoutPaddingAndRefusesOtherAlphabets) {
  std::string out;
  EXPECT_TRUE(decode_base64url("aGk", out));
  EXPECT_EQ(out, "hi");
  EXPECT_TRUE(decode_base64url("-_8", out));
  EXPECT_EQ(out, "\xfb\xff");
  EXPECT_TRUE(decode_base64url("", out));
  EXPECT_EQ(out, "");
  for (auto bad : {"a+b", "a/b", "aGk=", "a", "abcde"}) EXPECT_FALSE(decode_base64url(bad, out)) << bad;
}

TEST(TokenVerifier, AcceptsAGoodTokenAndReadsItsClaims) {
  auto v = verifier();
  auto verdict = v->verify(
      token(R"({"sub":"u-1","name":"Ana","exp":1800000600,"rooms":["k1","k2"],"create":false,"admin":true})"), kNow);
  ASSERT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.claims.subject, "u-1");
  EXPECT_EQ(verdict.claims.name, "Ana");
  EXPECT_EQ(verdict.claims.expires_at, 1800000600);
  EXPECT_TRUE(verdict.claims.may_join("k2"));
  EXPECT_FALSE(verdict.claims.may_join("k3"));
  EXPECT_FALSE(verdict.claims.may_create);
  EXPECT_TRUE(verdict.claims.admin);

  verdict = v->verify(token(R"({"sub":"u-2","exp":1800000600.9,"rooms":"*"})"), kNow);
  ASSERT_TRUE(verdict.ok()) << verdict.reason;
  EXPECT_EQ(verdict.claims.name, "u-2");  // no name: the sub
  EXPECT_TRUE(verdict.claims.may_join("anything"));
  EXPECT_TRUE(verdict.claims.may_create);
  EXPECT_FALSE(verdict.claims.admin);
}

TEST(TokenVerifier, RefusesForgedOrForeignTokens) {
  auto v = verifier();
  const std::string claims = R"({"sub":"u","exp":1800000600})";
  EXPECT_EQ(v->verify(token(claims, R"({"alg":"HS256"})", "another-secret-another-secret-000"), kNow).reason,
            "bad token signature");
  EXPECT_EQ(v->verify(token(claims, R"({"alg":"none"})"), kNow).reason, "token algorithm must be HS256");
  EXPECT_EQ(v->verify(token(claims, R"({"alg":"RS256"})"), kNow).reason, "token algorithm must be HS256");
  std::string tampered = token(claims);
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_FALSE(v->verify(tampered, kNow).ok());
  EXPECT_EQ(v->verify("a.b", kNow).reason, "malformed token");
  EXPECT_EQ(v->verify("a.b.c.d", kNow).reason, "malformed token");
  EXPECT_EQ(v->verify("", kNow).reason, "no token");
  EXPECT_EQ(v->verify(std::string(9000, 'a'), kNow).reason, "token too long");
}

TEST(TokenVerifier, ChecksTimesWithTheLeeway) {
  auto v = verifier({"", "", 60});
  EXPECT_TRUE(v->verify(token(R"({"sub":"u","exp":1799999950})"), kNow).ok());  // 50 s late: within leeway
  const auto expired = v->verify(token(R"({"sub":"u","exp":1799999900})"), kNow);
  EXPECT_EQ(expired.error, TokenError::kExpired);
  EXPECT_EQ(expired.reason, "token expired");
  EXPECT_TRUE(v->verify(token(R"({"sub":"u","exp":1800000600,"nbf":1800000050})"), kNow).ok());
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"nbf":1800000100})"), kNow).reason,
            "token not valid yet");
  EXPECT_EQ(v->verify(token(R"({"sub":"u"})"), kNow).reason, "the token needs an \"exp\"");
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1e300})"), kNow).reason, "\"exp\" must be a number of seconds");
}

TEST(TokenVerifier, ChecksIssuerAndAudienceWhenAsked) {
  auto v = verifier({"https://app", "roomkey", 0});
  EXPECT_TRUE(v->verify(token(R"({"sub":"u","exp":1800000600,"iss":"https://app","aud":"roomkey"})"), kNow).ok());
  EXPECT_TRUE(
      v->verify(token(R"({"sub":"u","exp":1800000600,"iss":"https://app","aud":["x","roomkey"]})"), kNow).ok());
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"aud":"roomkey"})"), kNow).reason, "wrong token issuer");
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"iss":"https://app","aud":["x"]})"), kNow).reason,
            "wrong token audience");
}

TEST(TokenVerifier, RefusesClaimsOfTheWrongShape) {
  auto v = verifier();
  EXPECT_FALSE(v->verify(token(R"({"exp":1800000600})"), kNow).ok());
  EXPECT_FALSE(v->verify(token(R"({"sub":"","exp":1800000600})"), kNow).ok());
  EXPECT_FALSE(v->verify(token(R"({"sub":7,"exp":1800000600})"), kNow).ok());
  EXPECT_FALSE(v->verify(token(R"({"sub":")" + std::string(257, 'x') + R"(","exp":1800000600})"), kNow).ok());
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"rooms":[1]})"), kNow).reason,
            "\"rooms\" must be \"*\" or an array of room keys");
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"create":"yes"})"), kNow).reason,
            "\"create\" must be true or false");
  EXPECT_EQ(v->verify(token(R"({"sub":"u","exp":1800000600,"admin":1})"), kNow).reason,
            "\"admin\" must be true or false");
  EXPECT_EQ(v->verify(token("[1,2]"), kNow).reason, "malformed token claims");
}

TEST(TokenVerifier, KeysAreCheckedWhenLoaded) {
  std::string error;
  EXPECT_FALSE(TokenVerifier::from_key("short secret\n", {}, error));
  EXPECT_EQ(error, "an HS256 secret must be at least 32 bytes (this one has 12)");
  EXPECT_FALSE(TokenVerifier::from_key("-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n", {}, error));
  EXPECT_EQ(error, "not a PEM public key");
  EXPECT_FALSE(TokenVerifier::load("/nonexistent/key", {}, error));
  EXPECT_EQ(error, "cannot read the auth key /nonexistent/key");
}

}  // namespace
}  // namespace rk::auth
