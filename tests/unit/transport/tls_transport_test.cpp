// The transport with TLS: the peer is a client TlsStream driven by hand over
// a socket pair, so the test sees the records the transport writes.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tls/tls_context.h"
#include "recording_events.h"
#include "transport/transport.h"
#include "../tls/test_certificate.h"

namespace rk::transport {
namespace {

using Events = testing::RecordingEvents;

struct TlsTransportTest : ::testing::Test {
  tls::testing::TestCertificate certificate;
  tls::ContextPtr server_context;
  tls::ContextPtr client_context = tls::unverified_client_context();
  loop::EventLoop loop;
  TransportLoop io{loop};
  int peer = -1;
  Events events;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<tls::TlsStream> client;
  std::vector<char> plain = std::vector<char>(1 << 16);
  tls::TlsStream::Status client_status = tls::TlsStream::Status::kOk;

  void SetUp() override {
    std::string error;
    server_context = tls::load_server_context(certificate.cert_file, certificate.key_file, error);
    ASSERT_TRUE(server_context) << error;
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    peer = fds[1];
    transport = std::make_unique<Transport>(
        fds[0], 1 << 20, std::make_unique<tls::TlsStream>(server_context.get(), tls::TlsStream::Role::kServer));
    events.transport = transport.get();
    ASSERT_TRUE(transport->attach(io, events));
    client = std::make_unique<tls::TlsStream>(client_context.get(), tls::TlsStream::Role::kClient);
    for (int round = 0; round < 4 && !client->handshake_done(); ++round) {
      client_sends();
      transport->on_io(EPOLLIN);
      io.flush_all();
      client_receives();
    }
    ASSERT_TRUE(client->handshake_done());
    client_sends();  // the client's Finished, if still held
    transport->on_io(EPOLLIN);
    io.flush_all();
    client_receives();  // session tickets
  }
  ~TlsTransportTest() override {
    if (peer >= 0) ::close(peer);
  }

  void client_sends() {
    const std::string wire(client->ciphertext());
    client->consume_ciphertext(wire.size());
    if (wire.empty()) return;
    ASSERT_EQ(::send(peer, wire.data(), wire.size(), 0), static_cast<ssize_t>(wire.size()));
  }
  std::string read_wire() {
    std::string wire;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(peer, buffer, sizeof buffer, 0)) > 0) wire.append(buffer, static_cast<std::size_t>(n));
    return wire;
  }
  std::string decrypt(const std::string& wire) {
    client->feed(wire.data(), wire.size());
    std::string out;
    while (const std::size_t n = client->read(plain, client_status)) out.append(plain.data(), n);
    return out;
  }
  std::string client_receives() { return decrypt(read_wire()); }
};

std::size_t records_in(const std::string& wire) {
  std::size_t records = 0;
  for (std::size_t at = 0; at + 5 <= wire.size(); ++records)
    at += 5 + (static_cast<unsigned char>(wire[at + 3]) << 8 | static_cast<unsigned char>(wire[at + 4]));
  return records;
}

TEST_F(TlsTransportTest, ATurnsFramesGoOutTogetherInOneRecord) {
  transport->send(share_frame("one,"));
  transport->send(share_frame("two,"));
  transport->send_unbounded(share_frame("three"));
  EXPECT_EQ(read_wire(), "");  // nothing before the end of the turn
  io.flush_all();
  const std::string wire = read_wire();
  EXPECT_EQ(records_in(wire), 1u);
  EXPECT_EQ(decrypt(wire), "one,two,three");
  EXPECT_EQ(transport->queued_bytes(), 0u);
}

TEST_F(TlsTransportTest, ABigTurnIsSplitIntoFullRecords) {
  for (int i = 0; i < 10; ++i) transport->send(share_frame(std::string(5000, static_cast<char>('a' + i))));
  io.flush_all();
  const std::string wire = read_wire();
  EXPECT_EQ(records_in(wire), 4u);  // 50,000 bytes gathered up to 16 KiB a record
  std::string expected;
  for (int i = 0; i < 10; ++i) expected += std::string(5000, static_cast<char>('a' + i));
  EXPECT_EQ(decrypt(wire), expected);
}

TEST_F(TlsTransportTest, DecryptsWhatThePeerSends) {
  ASSERT_TRUE(client->write("hello over TLS"));
  client_sends();
  transport->on_io(EPOLLIN);
  EXPECT_EQ(events.received, "hello over TLS");
}

TEST_F(TlsTransportTest, ShutdownSendsCloseNotifyAfterTheQueueThenEndsTheStream) {
  transport->send(share_frame("last words"));
  transport->shutdown_when_flushed();
  io.flush_all();
  EXPECT_EQ(client_receives(), "last words");
  EXPECT_EQ(client_status, tls::TlsStream::Status::kClosed);
  char byte;
  EXPECT_EQ(::recv(peer, &byte, 1, 0), 0);  // then EOF
}

TEST_F(TlsTransportTest, GarbageFromThePeerClosesTheConnection) {
  const std::string garbage(64, '\x17');
  ASSERT_EQ(::send(peer, garbage.data(), garbage.size(), 0), 64);
  transport->on_io(EPOLLIN);
  EXPECT_EQ(events.closed, 1);
  EXPECT_TRUE(transport->closed());
}

}  // namespace
}  // namespace rk::transport
