#include "room/room_registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace rk::room {
namespace {

struct RecordingMember : RoomMember {
  MemberInfo who;
  std::vector<FramePtr> received;
  void deliver(const FramePtr& frame) override { received.push_back(frame); }
  const MemberInfo& info() const override { return who; }
  void room_destroyed(std::string_view) override {}
  void acknowledged(std::string_view, std::uint64_t) override {}
  void kicked() override {}
};

Broadcast both(const FramePtr& v1, const FramePtr& v2) {
  Broadcast message;
  message[Protocol::kV1] = v1;
  message[Protocol::kV2] = v2;
  return message;
}

TEST(Room, BroadcastsToEveryoneButTheSenderSharingOneFramePerProtocol) {
  Retention retention;
  Room room("k", "e", retention);
  RecordingMember a, b, c, d;
  room.add(&a, Protocol::kV1);
  room.add(&b, Protocol::kV1);
  room.add(&c, Protocol::kV2);
  room.add(&d, Protocol::kV2);
  EXPECT_EQ(room.count(Protocol::kV1), 2u);
  const auto v1 = share_frame("one");
  const auto v2 = share_frame("two");
  room.broadcast(both(v1, v2), &b);
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_TRUE(b.received.empty());
  EXPECT_EQ(a.received[0].get(), v1.get());  // the same bytes, not a copy
  EXPECT_EQ(c.received[0].get(), v2.get());
  EXPECT_EQ(d.received[0].get(), v2.get());
}

TEST(Room, MembersOfAProtocolWithoutAFrameGetNothing) {
  Retention retention;
  Room room("k", "e", retention);
  RecordingMember a, b;
  room.add(&a, Protocol::kV1);
  room.add(&b, Protocol::kV2);
  room.broadcast(both(nullptr, share_frame("v2 only")), nullptr);
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received.size(), 1u);
}

TEST(Room, RemovesMembersAndKeepsCountsPerProtocol) {
  Retention retention;
  Room room("k", "e", retention);
  RecordingMember a, b;
  room.add(&a, Protocol::kV1);
  room.add(&b, Protocol::kV2);
  room.remove(&a);
  room.remove(&a);
  EXPECT_EQ(room.count(Protocol::kV1), 0u);
  EXPECT_EQ(room.count(Protocol::kV2), 1u);
  room.remove(&b);
  EXPECT_TRUE(room.empty());
}

TEST(Room, OffsetsStartAtOneAndGrowByOne) {
  Retention retention;
  Room room("k", "e", retention);
  EXPECT_EQ(room.offset(), 0u);
  EXPECT_EQ(room.next_offset(), 1u);
  EXPECT_EQ(room.next_offset(), 2u);
  EXPECT_EQ(room.offset(), 2u);
}

TEST(RoomRegistry, FindsCreatesTakesAndForgetsIdleRooms) {
  RoomRegistry rooms;
  EXPECT_EQ(rooms.find("k"), nullptr);
  Room& room = rooms.find_or_create("k");
  EXPECT_EQ(&rooms.find_or_create("k"), &room);
  RecordingMember a;
  room.add(&a, Protocol::kV1);
  rooms.erase_if_idle(room);
  EXPECT_EQ(rooms.find("k"), &room);
  room.remove(&a);
  rooms.erase_if_idle(room);
  EXPECT_EQ(rooms.find("k"), nullptr);
  rooms.find_or_create("j");
  auto taken = rooms.take("j");
  ASSERT_NE(taken, nullptr);
  EXPECT_EQ(taken->key(), "j");
  EXPECT_EQ(rooms.size(), 0u);
}

TEST(RoomRegistry, ARoomBackInMemoryStartsANewEpoch) {
  RoomRegistry rooms;
  const std::string first = rooms.find_or_create("k").epoch();
  rooms.erase_if_idle(*rooms.find("k"));
  const std::string second = rooms.find_or_create("k").epoch();
  EXPECT_NE(first, second);
  EXPECT_EQ(first.size(), 11u);
}

TEST(RoomRegistry, MemberIdsAreNeverReused) {
  RoomRegistry rooms;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = rooms.new_member_id();
    EXPECT_LE(id.size(), 32u);
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  // A counter starts at the clock (1000 ids a millisecond): a restart, even
  // a quick one, starts past every id the last run handed out.
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  RoomRegistry after_a_restart;
  EXPECT_FALSE(seen.count(after_a_restart.new_member_id()));
}

TEST(RoomRegistry, AnEmptyRoomKeepsItsLogUntilItExpiresThenLeavesMemory) {
  RoomRegistry rooms(RetentionLimits{100, 1000, 5000, 1 << 20});
  Room& room = rooms.find_or_create("k");
  Author* ana = room.log().add_author("a", R"("ana")");
  room.log().append(room.next_offset(), 10'000, ana, Kind::kMessage, "1", {});
  room.log().unseat(ana);
  rooms.erase_if_idle(room);
  ASSERT_EQ(rooms.find("k"), &room);  // it remembers something
  rooms.expire(10'500);
  EXPECT_EQ(rooms.find("k"), &room);
  rooms.expire(11'001);
  EXPECT_EQ(rooms.find("k"), nullptr);
  EXPECT_EQ(rooms.retention().bytes, 0u);
}

TEST(RoomRegistry, OverTheBudgetTheOldestEntriesOfAnyRoomGoFirst) {
  RoomRegistry rooms(RetentionLimits{100, 1'000'000, 1'000'000, 20'000});
  Room& old_room = rooms.find_or_create("old");
  Room& new_room = rooms.find_or_create("new");
  const std::string payload(300, 'x');
  Author* old_author = old_room.log().add_author("o", R"("old")");
  Author* new_author = new_room.log().add_author("n", R"("new")");
  for (int i = 0; i < 20; ++i)
    old_room.log().append(old_room.next_offset(), 1000 + i, old_author, Kind::kMessage, payload, {});
  old_room.log().unseat(old_author);  // left: only its entries keep the room in memory
  for (int i = 0; i < 60; ++i)
    new_room.log().append(new_room.next_offset(), 5000 + i, new_author, Kind::kMessage, payload, {});
  ASSERT_TRUE(rooms.retention().over_budget());
  rooms.enforce_budget();
  EXPECT_LE(rooms.retention().bytes, 18'000u);
  EXPECT_EQ(rooms.find("old"), nullptr);  // all its entries were older: it went first, then left memory
  EXPECT_EQ(new_room.log().at(new_room.log().history_count() - 1).offset, 60u);  // the newest stay
}

}  // namespace
}  // namespace rk::room
