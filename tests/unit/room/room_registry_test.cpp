#include "room/room_registry.h"

#include <gtest/gtest.h>

namespace rk::room {
namespace {

struct RecordingMember : RoomMember {
  std::vector<FramePtr> received;
  void deliver(const FramePtr& frame) override { received.push_back(frame); }
  void room_destroyed(std::string_view) override {}
};

TEST(Room, BroadcastsToEveryoneButTheSenderSharingOneFrame) {
  Room room("k");
  RecordingMember a, b, c;
  room.add(&a);
  room.add(&b);
  room.add(&c);
  const auto frame = share_frame("x");
  room.broadcast(frame, &b);
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_TRUE(b.received.empty());
  ASSERT_EQ(c.received.size(), 1u);
  EXPECT_EQ(a.received[0].get(), frame.get());  // the same bytes, not a copy
  EXPECT_EQ(c.received[0].get(), frame.get());
}

TEST(Room, RemovesMembers) {
  Room room("k");
  RecordingMember a, b;
  room.add(&a);
  room.add(&b);
  room.remove(&a);
  room.remove(&a);
  room.broadcast(share_frame("x"), nullptr);
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received.size(), 1u);
  room.remove(&b);
  EXPECT_TRUE(room.empty());
}

TEST(RoomRegistry, FindsCreatesTakesAndForgetsEmptyRooms) {
  RoomRegistry rooms;
  EXPECT_EQ(rooms.find("k"), nullptr);
  Room& room = rooms.find_or_create("k");
  EXPECT_EQ(&rooms.find_or_create("k"), &room);
  EXPECT_EQ(rooms.find("k"), &room);
  RecordingMember a;
  room.add(&a);
  rooms.erase_if_empty(room);
  EXPECT_EQ(rooms.find("k"), &room);
  room.remove(&a);
  rooms.erase_if_empty(room);
  EXPECT_EQ(rooms.find("k"), nullptr);
  rooms.find_or_create("j");
  auto taken = rooms.take("j");
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->key(), "j");
  EXPECT_EQ(rooms.size(), 0u);
}

}  // namespace
}  // namespace rk::room
