#include "room/room_log.h"

#include <gtest/gtest.h>

namespace rk::room {
namespace {

Retained entry(std::uint64_t offset, std::int64_t at, std::string text = "p") {
  return {offset, at, share_frame(text)};
}

TEST(RoomLog, KeepsTheLatestPublicationsInOrderUpToTheHistorySize) {
  Retention retention{RetentionLimits{3, 1'000'000, 1'000'000, 1 << 20}};
  RoomLog log(retention);
  for (std::uint64_t i = 1; i <= 7; ++i) log.append(entry(i, static_cast<std::int64_t>(i)));
  ASSERT_EQ(log.history_count(), 3u);
  EXPECT_EQ(log.first_offset(), 5u);
  EXPECT_EQ(log.at(0).offset, 5u);
  EXPECT_EQ(log.at(2).offset, 7u);
  EXPECT_EQ(log.first_after(4), 0u);
  EXPECT_EQ(log.first_after(5), 1u);
  EXPECT_EQ(log.first_after(7), 3u);
}

TEST(RoomLog, ARingThatExpiredAtItsFrontStillGrowsInOrder) {
  Retention retention{RetentionLimits{100, 10, 1'000'000, 1 << 20}};
  RoomLog log(retention);
  for (std::uint64_t i = 1; i <= 4; ++i) log.append(entry(i, static_cast<std::int64_t>(i)));
  log.expire(13);  // offsets 1 and 2 are older than 10 ms
  ASSERT_EQ(log.first_offset(), 3u);
  for (std::uint64_t i = 5; i <= 9; ++i) log.append(entry(i, 13));
  ASSERT_EQ(log.history_count(), 7u);
  for (std::size_t i = 0; i < log.history_count(); ++i) EXPECT_EQ(log.at(i).offset, 3 + i);
}

TEST(RoomLog, KeepsEachPersonsLatestLocationAndLatestStateOldestFirst) {
  Retention retention;
  RoomLog log(retention);
  log.remember_state("ana", true, entry(1, 1, "ana-location-1"));
  log.remember_state("ben", true, entry(2, 2, "ben-location-2"));
  log.remember_state("ana", false, entry(3, 3, "ana-state-3"));
  log.remember_state("ana", true, entry(4, 4, "ana-location-4"));
  ASSERT_EQ(log.states().size(), 3u);
  EXPECT_EQ(log.states()[0].entry.frame->view(), "ben-location-2");
  EXPECT_EQ(log.states()[1].entry.frame->view(), "ana-state-3");
  EXPECT_EQ(log.states()[2].entry.frame->view(), "ana-location-4");
}

TEST(RoomLog, CountsEveryByteItHoldsAndGivesThemAllBack) {
  Retention retention;
  {
    RoomLog log(retention);
    log.append(entry(1, 1, std::string(1000, 'x')));
    log.remember_state("ana", true, entry(1, 1, std::string(1000, 'x')));
    EXPECT_GT(retention.bytes, 2000u);
    log.append(entry(2, 2));
  }
  EXPECT_EQ(retention.bytes, 0u);
}

TEST(RoomLog, DropsTheOldestEntryHistoryOrStateUnderBudgetPressure) {
  Retention retention;
  RoomLog log(retention);
  log.remember_state("ana", true, entry(1, 1));
  log.append(entry(2, 2));
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
  log.append(entry(1, 1));
  log.remember_state("ana", true, entry(1, 1));
  EXPECT_TRUE(log.empty());
  EXPECT_FALSE(retention.keeps_anything());
}

}  // namespace
}  // namespace rk::room
