#include "util/frame_memory.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "util/shared_frame.h"

namespace rk {
namespace {

TEST(FrameMemory, AFreedSmallBlockIsReusedByTheNextSmallFrame) {
  void* first = frame_memory::take(100);
  frame_memory::give(first, 100);
  const std::size_t cached = frame_memory::cached_on_this_thread();
  EXPECT_GE(cached, 1u);
  void* second = frame_memory::take(frame_memory::kBlockBytes);
  EXPECT_EQ(first, second);
  EXPECT_EQ(frame_memory::cached_on_this_thread(), cached - 1);
  frame_memory::give(second, frame_memory::kBlockBytes);
}

TEST(FrameMemory, BigBlocksAreNotCached) {
  const std::size_t before = frame_memory::cached_on_this_thread();
  void* big = frame_memory::take(frame_memory::kBlockBytes + 1);
  frame_memory::give(big, frame_memory::kBlockBytes + 1);
  EXPECT_EQ(frame_memory::cached_on_this_thread(), before);
}

TEST(FrameMemory, TheCacheIsBounded) {
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < frame_memory::kMaxCachedBlocks + 100; ++i) blocks.push_back(frame_memory::take(64));
  for (void* block : blocks) frame_memory::give(block, 64);
  EXPECT_EQ(frame_memory::cached_on_this_thread(), frame_memory::kMaxCachedBlocks);
}

TEST(FrameMemory, AFrameReleasedOnAnotherThreadJoinsThatThreadsCache) {
  FramePtr frame = share_frame("hello");
  std::size_t cached_there_before = 0, cached_there_after = 0;
  std::thread other([&] {
    cached_there_before = frame_memory::cached_on_this_thread();
    frame.reset();
    cached_there_after = frame_memory::cached_on_this_thread();
  });
  other.join();
  EXPECT_EQ(cached_there_before, 0u);
  EXPECT_EQ(cached_there_after, 1u);
}

TEST(FrameMemory, FramesKeepTheirBytesWhileSharedAndAcrossReuse) {
  FramePtr a = share_frame("first frame");
  FramePtr a_copy = a;
  a.reset();
  EXPECT_EQ(a_copy->view(), "first frame");
  a_copy.reset();
  FramePtr b = share_frame("second");
  EXPECT_EQ(b->view(), "second");
  std::string big(1000, 'x');
  FramePtr c = share_frame(big);
  EXPECT_EQ(c->view(), big);
}

}  // namespace
}  // namespace rk
