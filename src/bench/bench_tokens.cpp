#include "bench/bench_tokens.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rk::bench {
namespace {

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (const unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) out.push_back(kAlphabet[(bits >> (count -= 6)) & 63]);
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  return out;
}

}  // namespace

std::string mint_hs256(std::string_view secret, std::string_view sub, long long expires_at) {
  const std::string claims = "{\"sub\":\"" + std::string(sub) + "\",\"exp\":" + std::to_string(expires_at) + "}";
  return sign_hs256(R"({"alg":"HS256","typ":"JWT"})", claims, secret);
}

std::string sign_hs256(std::string_view header_json, std::string_view claims_json, std::string_view secret) {
  std::string token = base64url(header_json) + "." + base64url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &length);
  return token + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

BenchTokens::BenchTokens(std::string fixed_token, const std::string& secret_file) : fixed_(std::move(fixed_token)) {
  if (secret_file.empty()) return;
  std::ifstream in(secret_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read --auth-key " + secret_file);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  secret_ = bytes.str();
  if (secret_.ends_with("\r\n")) secret_.resize(secret_.size() - 2);
  else if (secret_.ends_with("\n")) secret_.pop_back();
  if (secret_.size() < 32) throw std::runtime_error("--auth-key: the bench mints HS256 tokens, from a secret of 32 bytes or more");
}

std::string BenchTokens::for_person(std::string_view person) const {
  if (!fixed_.empty() || secret_.empty()) return fixed_;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return mint_hs256(secret_, person, now + 3600);
}

}  // namespace rk::bench
