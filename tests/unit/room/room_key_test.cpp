#include "room/room_key.h"

#include <gtest/gtest.h>

#include <set>

namespace rk::room {
namespace {

TEST(RoomKey, Is22UrlSafeCharacters) {
  const auto key = generate_room_key();
  EXPECT_EQ(key.size(), 22u);
  for (char c : key) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << key;
}

TEST(RoomKey, DoesNotRepeat) {
  std::set<std::string> keys;
  for (int i = 0; i < 10000; ++i) keys.insert(generate_room_key());
  EXPECT_EQ(keys.size(), 10000u);
}

TEST(RoomKey, UsesEveryCharacterPosition) {
  // 128 random bits: every position varies across a few hundred keys.
  std::vector<std::set<char>> seen(22);
  for (int i = 0; i < 500; ++i) {
    const auto key = generate_room_key();
    for (std::size_t j = 0; j < key.size(); ++j) seen[j].insert(key[j]);
  }
  for (std::size_t j = 0; j < 21; ++j) EXPECT_GT(seen[j].size(), 30u) << j;
  EXPECT_EQ(seen[21].size(), 4u);  // the last character carries 2 bits
}

}  // namespace
}  // namespace rk::room
