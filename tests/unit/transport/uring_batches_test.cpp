// TransportLoop's io_uring batches (--io uring) over socket pairs: one real
// loop turn each (a task queued, then stop), so the reads go through the
// after-events batch and the writes through the flush's batch.
#include "recording_events.h"
#include "transport/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace rk::transport {
namespace {

using Events = testing::RecordingEvents;

struct UringBatchesTest : ::testing::Test {
  static constexpr int kCount = 3;  // more than one: a single socket takes the plain call
  loop::EventLoop loop;
  TransportLoop io{loop};
  std::array<int, kCount> peers{};
  std::array<Events, kCount> events;
  std::array<std::unique_ptr<Transport>, kCount> transports;

  void SetUp() override {
    std::string failure;
    if (!loop.use_uring(failure)) GTEST_SKIP() << "io_uring unavailable: " << failure;
    loop.on_turn_end([this] { io.flush_all(); });
    for (int i = 0; i < kCount; ++i) {
      int fds[2];
      ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
      peers[i] = fds[1];
      transports[i] = std::make_unique<Transport>(fds[0], std::size_t{1} << 20);
      events[i].transport = transports[i].get();
      ASSERT_TRUE(transports[i]->attach(io, events[i]));
    }
  }
  void TearDown() override {
    for (int peer : peers)
      if (peer > 0) ::close(peer);
  }
  // One turn: what is readable is read, `task` runs, the flush writes.
  void turn(std::function<void()> task = [] {}) {
    loop.post(std::move(task));
    loop.stop();
    loop.run();
  }
  std::string read_peer(int i) {
    std::string out;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(peers[i], buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<std::size_t>(n));
    return out;
  }
};

TEST_F(UringBatchesTest, ReadsEveryReadySocketAndWritesEveryQueueInOrder) {
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(::send(peers[i], "ping", 4, 0), 4);
  turn([this] {
    for (int i = 0; i < kCount; ++i) {
      transports[i]->send(share_frame("one,"));
      transports[i]->send(share_frame("two"));
    }
  });
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(events[i].received, "ping");
    EXPECT_EQ(read_peer(i), "one,two");
    EXPECT_EQ(transports[i]->queued_bytes(), 0u);
  }
}

TEST_F(UringBatchesTest, AReadBiggerThanItsSlotArrivesWholeInTheSameTurn) {
  const std::string big(100'000, 'x');  // the slot is 4 KiB; the rest is read on at once
  ASSERT_EQ(::send(peers[0], big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  ASSERT_EQ(::send(peers[1], "small", 5, 0), 5);
  turn();
  EXPECT_EQ(events[0].received, big);
  EXPECT_EQ(events[1].received, "small");
}

TEST_F(UringBatchesTest, APeerThatClosedIsReportedAndTheOthersStillRead) {
  ::close(peers[0]);
  peers[0] = -1;
  ASSERT_EQ(::send(peers[1], "still here", 10, 0), 10);
  turn();
  EXPECT_EQ(events[0].closed, 1);
  EXPECT_TRUE(transports[0]->closed());
  EXPECT_EQ(events[1].received, "still here");
}

TEST_F(UringBatchesTest, WhatTheKernelDoesNotTakeStaysQueuedForLater) {
  const std::string big(8 << 20, 'y');  // far more than a socket pair buffers
  turn([&] {
    transports[0]->send(share_frame(big));
    transports[1]->send(share_frame("fine"));
  });
  EXPECT_GT(transports[0]->queued_bytes(), 0u);  // partly written, the rest waits for EPOLLOUT
  EXPECT_FALSE(transports[0]->closed());
  EXPECT_EQ(read_peer(1), "fine");
}

TEST_F(UringBatchesTest, AnOverflowIsReportedBeforeTheBatchIsWritten) {
  turn([&] {
    transports[0]->send(share_frame(std::string(2 << 20, 'z')));  // an empty queue takes it
    transports[0]->send(share_frame("over the bound"));             // refused: overflow
    transports[1]->send(share_frame("fine"));
  });
  EXPECT_EQ(events[0].overflows, 1);
  EXPECT_EQ(read_peer(0), "close");  // nothing of the big one was written, so all of it went
  EXPECT_EQ(read_peer(1), "fine");
}

}  // namespace
}  // namespace rk::transport
