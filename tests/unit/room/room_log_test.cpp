#include "room/room_log.h"

#include <gtest/gtest.h>

namespace rk::room {
namespace {

struct LogTest : ::testing::Test {
  Retention retention{RetentionLimits{3, 1'000'000, 1'000'000, 1 << 20}};
  RoomLog log{retention};
  Author* ana = log.add_author("a1", R"("ana")");
  Author* ben = log.add_author("b1", R"("ben")");

  void publish(std::uint64_t offset, std::int64_t at, Author* who = nullptr) {
    log.append(offset, at, who ? who : ana, Kind::kMessage, "1", {});
  }
};

TEST_F(LogTest, KeepsTheLatestPublicationsInOrderUpToTheHistorySize) {
  for (std::uint64_t i = 1; i <= 7; ++i) publish(i, static_cast<std::int64_t>(i));
  ASSERT_EQ(log.history_count(), 3u);
  EXPECT_EQ(log.first_offset(), 5u);
  EXPECT_EQ(log.at(2).offset, 7u);
  EXPECT_EQ(log.first_after(4), 0u);
  EXPECT_EQ(log.first_after(5), 1u);
  EXPECT_EQ(log.first_after(7), 3u);
}

TEST_F(LogTest, ARingThatExpiredAtItsFrontStillGrowsInOrder) {
  retention.limits = RetentionLimits{100, 10, 1'000'000, 1 << 20};
  for (std::uint64_t i = 1; i <= 4; ++i) publish(i, static_cast<std::int64_t>(i));
  log.expire(13);  // offsets 1 and 2 are older than 10 ms
  ASSERT_EQ(log.first_offset(), 3u);
  for (std::uint64_t i = 5; i <= 9; ++i) publish(i, 13);
  ASSERT_EQ(log.history_count(), 7u);
  for (std::size_t i = 0; i < log.history_count(); ++i) EXPECT_EQ(log.at(i).offset, 3 + i);
}

TEST_F(LogTest, KeepsRawValuesSmallInlineAndBigOnTheHeap) {
  const std::string big(5000, 'x');
  log.append(1, 1, ana, Kind::kLocation, "52.520008", "-13.404954");
  log.append(2, 2, ana, Kind::kMessage, big, {});
  EXPECT_EQ(log.at(0).first(), "52.520008");
  EXPECT_EQ(log.at(0).second(), "-13.404954");
  EXPECT_EQ(log.at(0).heap_bytes(), 0u);
  EXPECT_EQ(log.at(1).first(), big);
  EXPECT_GE(log.at(1).heap_bytes(), big.size());
}

TEST_F(LogTest, KeepsEachPersonsLatestLocationAndLatestStateOldestFirst) {
  log.remember_state(1, 1, ana, Kind::kLocation, "1", "1");
  log.remember_state(2, 2, ben, Kind::kLocation, "2", "2");
  log.remember_state(3, 3, ana, Kind::kState, "\"busy\"", {});
  Author* ana_again = log.add_author("a2", R"("ana")");  // ana's second phone: the same person
  log.remember_state(4, 4, ana_again, Kind::kLocation, "4", "4");
  ASSERT_EQ(log.states().size(), 3u);
  EXPECT_EQ(log.states()[0].offset, 2u);
  EXPECT_EQ(log.states()[1].kind(), Kind::kState);
  EXPECT_EQ(log.states()[2].offset, 4u);
  EXPECT_EQ(log.states()[2].author, ana_again);
}

TEST_F(LogTest, AnAuthorOutlivesItsMembershipWhileAnEntryNamesIt) {
  publish(1, 1);
  publish(2, 1);
  publish(3, 1, ben);
  log.unseat(ben);  // ben left; his publication still names him
  EXPECT_EQ(log.at(2).author->person_json, R"("ben")");
  const std::size_t before = retention.bytes;
  for (std::uint64_t i = 4; i <= 6; ++i) publish(i, 2);  // the full ring pushes ben's entry out
  EXPECT_LT(retention.bytes, before);  // ... and his record with it
}

TEST_F(LogTest, CountsEveryByteItHoldsAndGivesThemAllBack) {
  {
    RoomLog other(retention);
    const std::size_t base = retention.bytes;
    Author* cy = other.add_author("c1", R"("cy")");
    other.append(1, 1, cy, Kind::kMessage, std::string(1000, 'x'), {});
    other.remember_state(1, 1, cy, Kind::kLocation, "1", "2");
    EXPECT_GT(retention.bytes, base + 1000);
    other.append(2, 2, cy, Kind::kMessage, "p", {});
    other.unseat(cy);
  }
  log.clear();
  EXPECT_EQ(retention.bytes, 0u);
}

TEST_F(LogTest, DropsTheOldestEntryHistoryOrStateUnderBudgetPressure) {
  log.remember_state(1, 1, ana, Kind::kLocation, "1", "1");
  publish(2, 2);
  EXPECT_EQ(log.oldest_at(), 1);
  EXPECT_TRUE(log.drop_oldest());
  EXPECT_TRUE(log.states().empty());
  EXPECT_EQ(log.history_count(), 1u);
  EXPECT_TRUE(log.drop_oldest());
  EXPECT_FALSE(log.drop_oldest());
  EXPECT_TRUE(log.empty());
}

TEST(RoomLog, AHistorySizeOfZeroKeepsNoHistory) {
  Retention retention{RetentionLimits{0, 1000, 0, 1 << 20}};
  RoomLog log(retention);
  Author* ana = log.add_author("a", R"("ana")");
  log.append(1, 1, ana, Kind::kMessage, "1", {});
  log.remember_state(1, 1, ana, Kind::kLocation, "1", "1");
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(retention.keeps_anything());
}

}  // namespace
}  // namespace rk::room
