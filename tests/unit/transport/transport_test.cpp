#include "recording_events.h"
#include "transport/transport.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace rk::transport {
namespace {

using Events = testing::RecordingEvents;

struct TransportTest : ::testing::Test {
  loop::EventLoop loop;
  TransportLoop io{loop};
  int peer = -1;
  Events events;
  std::unique_ptr<Transport> transport;

  void open(std::size_t max_outbound) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    peer = fds[1];
    transport = std::make_unique<Transport>(fds[0], max_outbound);
    events.transport = transport.get();
    ASSERT_TRUE(transport->attach(io, events));
  }
  ~TransportTest() override {
    if (peer >= 0) ::close(peer);
  }
  std::string read_peer() {
    std::string out;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(peer, buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    return out;
  }
};

TEST_F(TransportTest, WritesEverythingQueuedThisTurnAtTheFlushInOrder) {
  open(1 << 20);
  transport->send(share_frame("one,"));
  transport->send(share_frame("two,"));
  transport->send_unbounded(share_frame("three"));
  EXPECT_EQ(read_peer(), "");  // nothing before the end of the turn
  io.flush_all();
  EXPECT_EQ(read_peer(), "one,two,three");
  EXPECT_EQ(transport->queued_bytes(), 0u);
}

TEST_F(TransportTest, ReportsReceivedBytesAndThePeersClose) {
  open(1 << 20);
  ASSERT_EQ(::send(peer, "hello", 5, 0), 5);
  transport->on_io(EPOLLIN);
  EXPECT_EQ(events.received, "hello");
  ::shutdown(peer, SHUT_WR);
  transport->on_io(EPOLLIN);
  EXPECT_EQ(events.closed, 1);
  EXPECT_TRUE(transport->closed());
}

TEST_F(TransportTest, AnEmptyQueueTakesAFrameBiggerThanTheBoundButAFullOneOverflows) {
  open(10);
  transport->send(share_frame(std::string(50, 'a')));  // empty queue: taken
  transport->send(share_frame("b"));                   // over the bound: refused, overflow flagged
  EXPECT_EQ(events.overflows, 0);                      // reported at the flush, never inside a fan-out
  io.flush_all();
  EXPECT_EQ(events.overflows, 1);
  // Nothing of it was written yet, so all of it went; the close frame goes whatever the bound.
  EXPECT_EQ(read_peer(), "close");
}

TEST_F(TransportTest, ShutsDownItsSendingSideOnlyAfterTheQueueDrains) {
  open(1 << 20);
  transport->send(share_frame("last words"));
  transport->shutdown_when_flushed();
  io.flush_all();
  EXPECT_EQ(read_peer(), "last words");
  char byte;
  EXPECT_EQ(::recv(peer, &byte, 1, 0), 0);  // then EOF
}

TEST_F(TransportTest, MovesToAnotherLoopWithItsQueue) {
  open(1 << 20);
  transport->send(share_frame("queued before the move"));
  transport->detach();
  io.flush_all();  // the old loop no longer flushes it
  EXPECT_EQ(read_peer(), "");
  loop::EventLoop other_loop;
  TransportLoop other(other_loop);
  ASSERT_TRUE(transport->attach(other, events));
  other.flush_all();
  EXPECT_EQ(read_peer(), "queued before the move");
  transport->close();
}

}  // namespace
}  // namespace rk::transport
