#include "ws/handshake.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cctype>

namespace rk::ws {
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_of_16_bytes(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  // The 22nd character carries only 2 significant bits for 16 bytes.
  const std::string_view last_allowed = "AQgw";
  return last_allowed.find(key[21]) != std::string_view::npos;
}

HandshakeResult reject(std::size_t consumed, int status, std::string_view phrase, std::string_view body,
                       std::string_view reason, std::string_view extra_headers = {}) {
  HandshakeResult r;
  r.status = HandshakeResult::Status::kReject;
  r.consumed = consumed;
  r.response = http::Response::text(status, phrase, body, extra_headers).serialize();
  r.reason = reason;
  return r;
}

}  // namespace

std::string compute_accept_key(std::string_view client_key) {
  std::string input(client_key);
  input.append(kWebSocketGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(n));
}

HandshakeResult process_handshake(std::string_view input, std::size_t max_body_bytes) {
  auto parse = http::parse_request(input, max_body_bytes);
  if (parse.status == http::RequestParse::Status::kNeedMore) {
    HandshakeResult more;
    more.needed = parse.needed;
    return more;
  }
  if (parse.status == http::RequestParse::Status::kBad) {
    HandshakeResult r;
    r.status = HandshakeResult::Status::kReject;
    r.consumed = parse.consumed;
    r.response = parse.error.serialize();
    r.reason = parse.reason;
    return r;
  }
  const auto& req = parse.request;
  const std::size_t consumed = parse.consumed;
  if (!http::has_token(req[http::Field::upgrade], "websocket")) {
    HandshakeResult r;
    r.status = HandshakeResult::Status::kPlainHttp;
    r.consumed = consumed;
    r.request = std::move(parse.request);
    return r;
  }
  if (req.method() != http::Verb::get)
    return reject(consumed, 405, "Method Not Allowed", "only GET is supported\n", "method not GET", "Allow: GET\r\n");
  if (!req.body().empty() || req.has_content_length() || req.chunked())
    return reject(consumed, 400, "Bad Request", "a WebSocket upgrade request has no body\n", "request has a body");
  if (req.version() < 11)
    return reject(consumed, 400, "Bad Request", "WebSocket needs HTTP/1.1\n", "HTTP version below 1.1");
  if (!http::has_token(req[http::Field::connection], "upgrade"))
    return reject(consumed, 400, "Bad Request", "missing 'Connection: Upgrade'\n", "no Connection: Upgrade");
  if (req[http::Field::host].empty())
    return reject(consumed, 400, "Bad Request", "missing Host header\n", "no Host header");
  if (req[http::Field::sec_websocket_version] != "13")
    return reject(consumed, 426, "Upgrade Required", "unsupported WebSocket version: this server speaks 13\n",
                  "wrong Sec-WebSocket-Version", "Sec-WebSocket-Version: 13\r\n");
  const std::string_view key = req[http::Field::sec_websocket_key];
  if (!is_base64_of_16_bytes(key))
    return reject(consumed, 400, "Bad Request", "Sec-WebSocket-Key must be 16 bytes in base64\n",
                  "bad Sec-WebSocket-Key");

  HandshakeResult r;
  r.status = HandshakeResult::Status::kUpgrade;
  r.consumed = consumed;
  r.response.reserve(160);
  r.response.append(
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  r.response.append(compute_accept_key(key));
  r.response.append("\r\n\r\n");
  r.request = std::move(parse.request);  // its URL and headers: token, Origin, proxy headers
  return r;
}

}  // namespace rk::ws
