#include "auth/token_verifier.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <simdjson.h>
#include <sstream>

namespace rk::auth {
namespace {

constexpr std::size_t kMinSecretBytes = 32;
constexpr std::size_t kMaxTokenBytes = 8192;
constexpr std::size_t kMaxSubjectBytes = 256;

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Verdict invalid(std::string reason) { return {TokenError::kInvalid, std::move(reason), {}}; }

// A NumericDate (seconds; a fraction is cut off). Bounded far beyond any
// real date, so that adding the leeway can never overflow.
bool read_number(simdjson::dom::element element, std::int64_t& out) {
  constexpr std::int64_t kBound = std::int64_t{1} << 50;
  double value = 0;
  if (element.get_int64().get(out) == simdjson::SUCCESS) return out > -kBound && out < kBound;
  if (element.get_double().get(value) != simdjson::SUCCESS) return false;
  if (!(value > -static_cast<double>(kBound) && value < static_cast<double>(kBound))) return false;
  out = static_cast<std::int64_t>(value);
  return true;
}

bool audience_matches(simdjson::dom::element aud, std::string_view wanted) {
  std::string_view one;
  if (aud.get_string().get(one) == simdjson::SUCCESS) return one == wanted;
  simdjson::dom::array many;
  if (aud.get_array().get(many) != simdjson::SUCCESS) return false;
  for (auto item : many)
    if (item.get_string().get(one) == simdjson::SUCCESS && one == wanted) return true;
  return false;
}

// `rooms`: "*" or an array of join keys.
bool read_rooms(simdjson::dom::element element, Claims& claims) {
  std::string_view text;
  if (element.get_string().get(text) == simdjson::SUCCESS) return text == "*";
  simdjson::dom::array keys;
  if (element.get_array().get(keys) != simdjson::SUCCESS) return false;
  claims.all_rooms = false;
  for (auto item : keys) {
    if (item.get_string().get(text) != simdjson::SUCCESS) return false;
    if (text == "*") claims.all_rooms = true;
    claims.rooms.emplace_back(text);
  }
  return true;
}

// A JWT ES256 signature is r and s, 32 bytes each; OpenSSL verifies DER.
std::string es256_to_der(std::string_view raw) {
  if (raw.size() != 64) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, 32, nullptr), BN_bin2bn(bytes + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig, &der);
  std::string out = length > 0 ? std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)) : "";
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

bool decode_base64url(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 == 1) return false;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return true;
}

bool Claims::may_join(std::string_view room_key) const {
  return all_rooms || std::find(rooms.begin(), rooms.end(), room_key) != rooms.end();
}

TokenVerifier::TokenVerifier(VerifierOptions options, std::string algorithm, std::string secret, EVP_PKEY* public_key)
    : options_(std::move(options)), algorithm_(std::move(algorithm)), secret_(std::move(secret)),
      public_key_(public_key) {}

TokenVerifier::~TokenVerifier() { EVP_PKEY_free(public_key_); }

std::unique_ptr<TokenVerifier> TokenVerifier::load(const std::string& key_file, VerifierOptions options,
                                                   std::string& error) {
  std::ifstream in(key_file, std::ios::binary);
  if (!in) {
    error = "cannot read the auth key " + key_file;
    return nullptr;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto verifier = from_key(bytes.str(), std::move(options), error);
  if (!verifier) error = "the auth key " + key_file + ": " + error;
  return verifier;
}

std::unique_ptr<TokenVerifier> TokenVerifier::from_key(std::string_view key, VerifierOptions options,
                                                       std::string& error) {
  if (key.find("-----BEGIN") == std::string_view::npos) {
    if (key.ends_with("\r\n")) key.remove_suffix(2);
    else if (key.ends_with("\n")) key.remove_suffix(1);
    if (key.size() < kMinSecretBytes) {
      error = "an HS256 secret must be at least 32 bytes (this one has " + std::to_string(key.size()) + ")";
      return nullptr;
    }
    return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(options), "HS256", std::string(key), nullptr));
  }
  if (key.find("PRIVATE KEY-----") != std::string_view::npos) {
    error = "expected a public key (the private key stays with whoever signs tokens)";
    return nullptr;
  }
  BIO* bio = BIO_new_mem_buf(key.data(), static_cast<int>(key.size()));
  EVP_PKEY* public_key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!public_key) {
    error = "not a PEM public key";
    return nullptr;
  }
  std::string algorithm;
  if (EVP_PKEY_is_a(public_key, "RSA")) {
    if (EVP_PKEY_get_bits(public_key) >= 2048) algorithm = "RS256";
    else error = "an RSA key must have at least 2048 bits";
  } else if (EVP_PKEY_is_a(public_key, "EC")) {
    char curve[64] = "";
    std::size_t length = 0;
    EVP_PKEY_get_utf8_string_param(public_key, "group", curve, sizeof curve, &length);
    if (std::string_view(curve) == "prime256v1" || std::string_view(curve) == "P-256") algorithm = "ES256";
    else error = std::string("an EC key must be on P-256 for ES256 (this one: ") + curve + ")";
  } else {
    error = "only RSA (RS256) and EC P-256 (ES256) public keys are supported";
  }
  if (algorithm.empty()) {
    EVP_PKEY_free(public_key);
    return nullptr;
  }
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(std::move(options), algorithm, {}, public_key));
}

bool TokenVerifier::signature_matches(std::string_view signed_part, std::string_view signature) const {
  if (algorithm_ == "HS256") {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
              reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac, &length))
      return false;
    return signature.size() == length && CRYPTO_memcmp(mac, signature.data(), length) == 0;
  }
  const std::string der = algorithm_ == "ES256" ? es256_to_der(signature) : std::string(signature);
  if (der.empty()) return false;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, public_key_) == 1 &&
                  EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                                   reinterpret_cast<const unsigned char*>(signed_part.data()),
                                   signed_part.size()) == 1;
  EVP_MD_CTX_free(context);
  return ok;
}

Verdict TokenVerifier::verify(std::string_view token, std::int64_t now_s) const {
  if (token.empty()) return invalid("no token");
  if (token.size() > kMaxTokenBytes) return invalid("token too long");
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return invalid("malformed token");
  std::string header, payload, signature;
  if (!decode_base64url(token.substr(0, first_dot), header) ||
      !decode_base64url(token.substr(first_dot + 1, second_dot - first_dot - 1), payload) ||
      !decode_base64url(token.substr(second_dot + 1), signature))
    return invalid("malformed token");

  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view algorithm;
  if (parser.parse(header).get(root) != simdjson::SUCCESS || !root.is_object() ||
      root["alg"].get_string().get(algorithm) != simdjson::SUCCESS)
    return invalid("malformed token header");
  if (algorithm != algorithm_) return invalid("token algorithm must be " + algorithm_);
  if (!signature_matches(token.substr(0, second_dot), signature)) return invalid("bad token signature");

  if (parser.parse(payload).get(root) != simdjson::SUCCESS || !root.is_object())
    return invalid("malformed token claims");
  Verdict verdict{TokenError::kNone, {}, {}};
  Claims& claims = verdict.claims;
  std::string_view text;
  if (root["sub"].get_string().get(text) != simdjson::SUCCESS || text.empty() || text.size() > kMaxSubjectBytes)
    return invalid("the token needs a \"sub\" (a string of 1 to 256 bytes)");
  claims.subject = text;
  claims.name = claims.subject;
  simdjson::dom::element field;
  if (root["name"].get(field) == simdjson::SUCCESS) {
    if (field.get_string().get(text) != simdjson::SUCCESS || text.empty() || text.size() > kMaxSubjectBytes)
      return invalid("\"name\" must be a string of 1 to 256 bytes");
    claims.name = text;
  }
  if (root["exp"].get(field) != simdjson::SUCCESS) return invalid("the token needs an \"exp\"");
  if (!read_number(field, claims.expires_at)) return invalid("\"exp\" must be a number of seconds");
  std::int64_t not_before = 0;
  if (root["nbf"].get(field) == simdjson::SUCCESS && !read_number(field, not_before))
    return invalid("\"nbf\" must be a number of seconds");
  if (!options_.issuer.empty() &&
      (root["iss"].get_string().get(text) != simdjson::SUCCESS || text != options_.issuer))
    return invalid("wrong token issuer");
  if (!options_.audience.empty() &&
      (root["aud"].get(field) != simdjson::SUCCESS || !audience_matches(field, options_.audience)))
    return invalid("wrong token audience");
  if (root["rooms"].get(field) == simdjson::SUCCESS && !read_rooms(field, claims))
    return invalid("\"rooms\" must be \"*\" or an array of room keys");
  if (root["create"].get(field) == simdjson::SUCCESS && field.get_bool().get(claims.may_create) != simdjson::SUCCESS)
    return invalid("\"create\" must be true or false");
  if (root["admin"].get(field) == simdjson::SUCCESS && field.get_bool().get(claims.admin) != simdjson::SUCCESS)
    return invalid("\"admin\" must be true or false");
  if (not_before > now_s + options_.leeway_s) return invalid("token not valid yet");
  if (claims.expires_at + options_.leeway_s < now_s) {
    verdict.error = TokenError::kExpired;
    verdict.reason = "token expired";
  }
  return verdict;
}

}  // namespace rk::auth
