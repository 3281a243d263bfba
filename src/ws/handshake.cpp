#include "ws/handshake.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/beast/http.hpp>

namespace rk::ws {
namespace http = boost::beast::http;
namespace {

constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

// True if the comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

bool is_base64_of_16_bytes(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return false;
  }
  // The 22nd character carries only 2 significant bits for 16 bytes.
  const std::string_view last_allowed = "AQgw";
  return last_allowed.find(key[21]) != std::string_view::npos;
}

std::string response(std::string_view status_line, std::string_view extra_headers, std::string_view body) {
  std::string out;
  out.reserve(160 + body.size());
  out.append("HTTP/1.1 ").append(status_line).append("\r\n");
  out.append("Server: roomkey\r\n");
  out.append(extra_headers);
  out.append("Content-Type: text/plain; charset=utf-8\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("Connection: close\r\n\r\n");
  out.append(body);
  return out;
}

HandshakeResult reject(std::size_t consumed, std::string_view status_line, std::string_view body,
                       std::string_view reason, std::string_view extra_headers = {}) {
  HandshakeResult r;
  r.status = HandshakeResult::Status::kReject;
  r.consumed = consumed;
  r.response = response(status_line, extra_headers, body);
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

HandshakeResult process_handshake(std::string_view input) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kMaxRequestHeaderBytes);
  boost::beast::error_code ec;
  const std::size_t consumed = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec == http::error::need_more) {
    if (input.size() >= kMaxRequestHeaderBytes)
      return reject(input.size(), "431 Request Header Fields Too Large", "request header too large\n",
                    "header too large");
    return {};
  }
  if (ec == http::error::header_limit)
    return reject(input.size(), "431 Request Header Fields Too Large", "request header too large\n",
                  "header too large");
  if (ec) return reject(input.size(), "400 Bad Request", "malformed HTTP request\n", "malformed HTTP request");
  if (!parser.is_done())
    return reject(input.size(), "400 Bad Request", "a WebSocket upgrade request has no body\n", "request has a body");

  const auto& req = parser.get();
  const bool upgrade_requested = has_token(req[http::field::upgrade], "websocket");

  if (req.method() != http::verb::get)
    return reject(consumed, "405 Method Not Allowed", "only GET is supported\n", "method not GET", "Allow: GET\r\n");
  if (!upgrade_requested) {
    if (req.target() == "/healthz") return reject(consumed, "200 OK", "ok\n", "health check");
    return reject(consumed, "426 Upgrade Required",
                  "roomkey speaks WebSocket (RFC 6455) here: connect with a WebSocket client\n",
                  "plain HTTP request", "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
  }
  if (req.version() < 11)
    return reject(consumed, "400 Bad Request", "WebSocket needs HTTP/1.1\n", "HTTP version below 1.1");
  if (!has_token(req[http::field::connection], "upgrade"))
    return reject(consumed, "400 Bad Request", "missing 'Connection: Upgrade'\n", "no Connection: Upgrade");
  if (req[http::field::host].empty())
    return reject(consumed, "400 Bad Request", "missing Host header\n", "no Host header");
  if (req[http::field::sec_websocket_version] != "13")
    return reject(consumed, "426 Upgrade Required", "unsupported WebSocket version: this server speaks 13\n",
                  "wrong Sec-WebSocket-Version", "Sec-WebSocket-Version: 13\r\n");
  const std::string_view key = req[http::field::sec_websocket_key];
  if (!is_base64_of_16_bytes(key))
    return reject(consumed, "400 Bad Request", "Sec-WebSocket-Key must be 16 bytes in base64\n",
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
  return r;
}

}  // namespace rk::ws
