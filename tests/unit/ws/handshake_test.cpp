#include "ws/handshake.h"

#include <gtest/gtest.h>

#include <string>

namespace rk::ws {
namespace {

using Status = HandshakeResult::Status;

std::string request(std::string extra = {}, std::string version = "13",
                    std::string key = "dGhlIHNhbXBsZSBub25jZQ==") {
  return "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n" + extra + "\r\n";
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

TEST(Handshake, ComputesTheAcceptKeyFromTheRfcExample) {
  EXPECT_EQ(compute_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Handshake, UpgradesAValidRequest) {
  const auto req = request();
  const auto r = process_handshake(req);
  ASSERT_EQ(r.status, Status::kUpgrade);
  EXPECT_EQ(r.consumed, req.size());
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(r.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
}

TEST(Handshake, AcceptsHeaderCaseAndTokenListVariants) {
  const std::string req =
      "GET / HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
      "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n";
  EXPECT_EQ(process_handshake(req).status, Status::kUpgrade);
}

TEST(Handshake, LeavesFramesAfterTheRequestUnconsumed) {
  const auto req = request();
  const auto r = process_handshake(req + "\x81\x85XXXX");
  ASSERT_EQ(r.status, Status::kUpgrade);
  EXPECT_EQ(r.consumed, req.size());
}

TEST(Handshake, WaitsForTheWholeHeader) {
  const auto req = request();
  for (std::size_t cut = 0; cut < req.size(); ++cut) {
    EXPECT_EQ(process_handshake(req.substr(0, cut)).status, Status::kNeedMore) << cut;
  }
}

TEST(Handshake, AnswersAWrongVersionWith426AndTheVersionWeSpeak) {
  const auto r = process_handshake(request({}, "8"));
  ASSERT_EQ(r.status, Status::kReject);
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 426 "));
  EXPECT_NE(r.response.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(Handshake, AnswersBadKeysWith400) {
  for (std::string key : {"", "short", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ===",
                          "dGhlIHNhbXBsZSBub25j!Q==", "dGhlIHNhbXBsZSBub25jZR=="}) {
    const auto r = process_handshake(request({}, "13", key));
    ASSERT_EQ(r.status, Status::kReject) << key;
    EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 400 ")) << key;
  }
}

TEST(Handshake, AnswersMissingRequiredHeadersWith400) {
  const std::string no_host =
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  EXPECT_TRUE(starts_with(process_handshake(no_host).response, "HTTP/1.1 400 "));
  const std::string no_connection =
      "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  EXPECT_TRUE(starts_with(process_handshake(no_connection).response, "HTTP/1.1 400 "));
  const std::string http10 =
      "GET / HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  EXPECT_TRUE(starts_with(process_handshake(http10).response, "HTTP/1.1 400 "));
}

TEST(Handshake, HandsPlainHttpBackForTheRouter) {
  const auto plain = process_handshake("GET /healthz?x=1 HTTP/1.1\r\nHost: h\r\n\r\nnext");
  ASSERT_EQ(plain.status, Status::kPlainHttp);
  EXPECT_EQ(plain.request.target(), "/healthz?x=1");
  EXPECT_EQ(plain.consumed, std::string_view("GET /healthz?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").size());
  const auto post = process_handshake("POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(post.status, Status::kPlainHttp);
  EXPECT_EQ(post.request.body(), "hello");
  EXPECT_EQ(process_handshake("POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhel").status,
            Status::kNeedMore);
}

TEST(Handshake, AnswersAnUpgradeWithAnotherMethodWith405) {
  const auto r = process_handshake("POST / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  ASSERT_EQ(r.status, Status::kReject);
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 405 "));
}

TEST(Handshake, AnswersAnOversizedBodyWith413) {
  const auto r = process_handshake("POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000\r\n\r\n");
  ASSERT_EQ(r.status, Status::kReject);
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 413 "));
}

TEST(Handshake, AnswersGarbageWith400) {
  for (std::string junk : {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", "HELLO\r\n\r\n",
                           "GET / HTTP/9.9.9\r\n\r\n", "GET / HTTP/1.1\r\nHost h\r\n\r\n"}) {
    const auto r = process_handshake(junk);
    ASSERT_EQ(r.status, Status::kReject) << junk;
    EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 400 ")) << junk;
  }
}

TEST(Handshake, RejectsABody) {
  const auto r = process_handshake(request("Content-Length: 5\r\n") + "hello");
  ASSERT_EQ(r.status, Status::kReject);
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 400 "));
}

TEST(Handshake, AnswersAnOversizedHeaderWith431) {
  const auto r = process_handshake(request("X-Big: " + std::string(kMaxRequestHeaderBytes, 'a') + "\r\n"));
  ASSERT_EQ(r.status, Status::kReject);
  EXPECT_TRUE(starts_with(r.response, "HTTP/1.1 431 "));
  const auto endless = process_handshake("GET / HTTP/1.1\r\nX: " + std::string(kMaxRequestHeaderBytes, 'a'));
  EXPECT_EQ(endless.status, Status::kReject);
}

TEST(Handshake, TellsHowLongARequestWithABodyIsOnceItsHeaderIsIn) {
  const std::string header =
      "POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
  EXPECT_EQ(process_handshake(header.substr(0, 20)).needed, 0u);  // header incomplete: not known yet
  for (const std::size_t body : {0u, 1u, 99u}) {
    const auto r = process_handshake(header + std::string(body, 'x'));
    EXPECT_EQ(r.status, Status::kNeedMore);
    EXPECT_EQ(r.needed, header.size() + 100) << body;
  }
  const auto whole = process_handshake(header + std::string(100, 'x'));
  EXPECT_EQ(whole.status, Status::kPlainHttp);
  EXPECT_EQ(whole.request.body().size(), 100u);
}

}  // namespace
}  // namespace rk::ws
