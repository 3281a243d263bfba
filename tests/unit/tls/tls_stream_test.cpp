#include "tls/tls_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tls/tls_context.h"
#include "test_certificate.h"

namespace rk::tls {
namespace {

struct TlsStreamTest : ::testing::Test {
  testing::TestCertificate certificate;
  ContextPtr server_context;
  ContextPtr client_context = unverified_client_context();
  std::vector<char> plain = std::vector<char>(4096);

  void SetUp() override {
    std::string error;
    server_context = load_server_context(certificate.cert_file, certificate.key_file, error);
    ASSERT_TRUE(server_context) << error;
  }

  // Moves `from`'s ciphertext into `to` and returns the plaintext it yields.
  std::string pass(TlsStream& from, TlsStream& to, TlsStream::Status& status) {
    const std::string wire(from.ciphertext());
    from.consume_ciphertext(wire.size());
    to.feed(wire.data(), wire.size());
    std::string out;
    while (const std::size_t n = to.read(plain, status)) out.append(plain.data(), n);
    return out;
  }

  void handshake(TlsStream& server, TlsStream& client) {
    auto status = TlsStream::Status::kOk;
    for (int round = 0; round < 4 && !(server.handshake_done() && client.handshake_done()); ++round) {
      pass(client, server, status);
      pass(server, client, status);
    }
    ASSERT_EQ(status, TlsStream::Status::kOk);
    ASSERT_TRUE(server.handshake_done());
    ASSERT_TRUE(client.handshake_done());
  }
};

TEST_F(TlsStreamTest, HandshakesAndCarriesDataBothWays) {
  TlsStream server(server_context.get(), TlsStream::Role::kServer);
  TlsStream client(client_context.get(), TlsStream::Role::kClient);
  handshake(server, client);
  auto status = TlsStream::Status::kOk;
  ASSERT_TRUE(client.write("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(pass(client, server, status), "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(server.write("HTTP/1.1 101"));
  ASSERT_TRUE(server.write(" Switching"));
  EXPECT_EQ(pass(server, client, status), "HTTP/1.1 101 Switching");
  EXPECT_EQ(status, TlsStream::Status::kOk);
}

TEST_F(TlsStreamTest, ReadsRecordsThatArriveOneByteAtATime) {
  TlsStream server(server_context.get(), TlsStream::Role::kServer);
  TlsStream client(client_context.get(), TlsStream::Role::kClient);
  handshake(server, client);
  const std::string message(40000, 'm');  // three records, read into a 4 KB buffer
  ASSERT_TRUE(client.write(message));
  const std::string wire(client.ciphertext());
  std::string got;
  auto status = TlsStream::Status::kOk;
  for (const char byte : wire) {
    server.feed(&byte, 1);
    while (const std::size_t n = server.read(plain, status)) got.append(plain.data(), n);
  }
  EXPECT_EQ(got, message);
  EXPECT_EQ(status, TlsStream::Status::kOk);
}

TEST_F(TlsStreamTest, ThePeersCloseNotifyEndsTheStream) {
  TlsStream server(server_context.get(), TlsStream::Role::kServer);
  TlsStream client(client_context.get(), TlsStream::Role::kClient);
  handshake(server, client);
  client.close_notify();
  auto status = TlsStream::Status::kOk;
  EXPECT_EQ(pass(client, server, status), "");
  EXPECT_EQ(status, TlsStream::Status::kClosed);
}

TEST_F(TlsStreamTest, GarbageFailsTheHandshakeWithAReason) {
  TlsStream server(server_context.get(), TlsStream::Role::kServer);
  const std::string garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  server.feed(garbage.data(), garbage.size());
  auto status = TlsStream::Status::kOk;
  EXPECT_EQ(server.read(plain, status), 0u);
  EXPECT_EQ(status, TlsStream::Status::kFailed);
  EXPECT_FALSE(server.failure().empty());
}

TEST_F(TlsStreamTest, ALoadFailureSaysWhichFileAndWhy) {
  std::string error;
  EXPECT_FALSE(load_server_context(certificate.cert_file, certificate.cert_file, error));
  EXPECT_NE(error.find("cannot load the private key " + certificate.cert_file), std::string::npos) << error;
  testing::TestCertificate other("other");
  EXPECT_FALSE(load_server_context(certificate.cert_file, other.key_file, error));
  EXPECT_NE(error.find("does not match the certificate"), std::string::npos) << error;
}

}  // namespace
}  // namespace rk::tls
