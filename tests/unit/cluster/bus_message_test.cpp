#include "cluster/bus_message.h"

#include <gtest/gtest.h>

#include "redis/slot.h"

namespace rk::cluster {
namespace {

TEST(BusMessageTest, APublicationReadsBackWhatWasWritten) {
  std::string body;
  write_publication_body({1795926374404, '0', "n1", "id.n1", "\"ana\"", "37.7749", "-122.4194", ""}, body);
  const std::string text = publication_message("epochA", 42, body);
  const auto message = parse_bus_message(text);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, MessageKind::kPublication);
  EXPECT_EQ(message->epoch, "epochA");
  EXPECT_EQ(message->offset, 42u);
  EXPECT_EQ(message->publication.at_ms, 1795926374404);
  EXPECT_EQ(message->publication.kind, '0');
  EXPECT_EQ(message->publication.node, "n1");
  EXPECT_EQ(message->publication.member_id, "id.n1");
  EXPECT_EQ(message->publication.person_json, "\"ana\"");
  EXPECT_EQ(message->publication.first, "37.7749");
  EXPECT_EQ(message->publication.second, "-122.4194");
  EXPECT_TRUE(message->publication.ack_id.empty());
}

TEST(BusMessageTest, FieldsMayHoldAnyBytes) {
  const std::string data("{\"a\":\"1:2\\n\"}\0|x", 16);
  std::string body;
  write_publication_body({1, '1', "n", "i", "\"p:q\"", data, "", "\"ack:1\""}, body);
  const std::string text = publication_message("e", 1, body);
  const auto message = parse_bus_message(text);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->publication.first, data);
  EXPECT_EQ(message->publication.ack_id, "\"ack:1\"");
}

TEST(BusMessageTest, PresenceAndDestroyRoundTrip) {
  // Views into the text: it must outlive them.
  const std::string join_text = join_message("node1", "m1.node1", "\"ben\"");
  const auto join = parse_bus_message(join_text);
  ASSERT_TRUE(join);
  EXPECT_EQ(join->kind, MessageKind::kJoin);
  EXPECT_EQ(join->node, "node1");
  EXPECT_EQ(join->member_id, "m1.node1");
  EXPECT_EQ(join->person_json, "\"ben\"");
  const std::string leave_text = leave_message("node1", "m1.node1", 't');
  const auto leave = parse_bus_message(leave_text);
  ASSERT_TRUE(leave);
  EXPECT_EQ(leave->kind, MessageKind::kLeave);
  EXPECT_EQ(leave->reason, 't');
  const std::string destroyed_text = destroyed_message("node2");
  const auto destroyed = parse_bus_message(destroyed_text);
  ASSERT_TRUE(destroyed);
  EXPECT_EQ(destroyed->kind, MessageKind::kDestroyed);
  EXPECT_EQ(destroyed->node, "node2");
  const std::string kick_text = kick_message("node2", "", "\"cy\"");
  const auto kick = parse_bus_message(kick_text);
  ASSERT_TRUE(kick);
  EXPECT_EQ(kick->kind, MessageKind::kKick);
  EXPECT_EQ(kick->node, "node2");
  EXPECT_EQ(kick->member_id, "");
  EXPECT_EQ(kick->person_json, "\"cy\"");
  // The reap script writes leaves itself: the same bytes.
  EXPECT_EQ(leave_message("nd", "id", 't'), "L2:nd2:id1:t");
}

TEST(BusMessageTest, MalformedMessagesAreRefused) {
  for (const std::string_view bad :
       {"", "X", "P", "P5:abc", "P1:e1:x1:11:1", "J1:n", "J1:n1:i", "L1:n1:i2:tt", "D", "D1:nn", "D99:n",
        "J1:n1:i1:p extra", "P1:e1:11:11:31:n1:i1:p0:0:0:", "P1:e1:11:11:11:n1:i1:p0:0:", "J-1:n",
        "L01:i2:id1:t", "P1:e2:011:11:11:n1:i1:p0:0:0:", "K1:n0:", "K1:n0:0:x"}) {
    EXPECT_FALSE(parse_bus_message(bad)) << bad;
  }
}

TEST(BusMessageTest, FieldNames) {
  EXPECT_EQ(member_field("node", "id"), "node/id");
  EXPECT_EQ(state_field('2', "\"ana\""), "2\"ana\"");
}

TEST(SlotTest, MatchesRedisClusterKeyslot) {
  // Values from `redis-cli cluster keyslot`.
  EXPECT_EQ(redis::key_slot("roomkey:{abc}:bus"), 7638);
  EXPECT_EQ(redis::key_slot("roomkey:{abc}:seq"), 7638);
  EXPECT_EQ(redis::key_slot("123456789"), 0x31C3 % 16384);  // CRC16/XMODEM's check value
  EXPECT_EQ(redis::key_slot("a{}b"), redis::key_slot("a{}b"));  // an empty tag: the whole key
  EXPECT_NE(redis::key_slot("a{}b"), redis::key_slot(""));
}

}  // namespace
}  // namespace rk::cluster
