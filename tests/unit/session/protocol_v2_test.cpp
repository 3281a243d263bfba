// Protocol v2's handler through its narrow interface, alone and in rooms
// shared with v1 clients.
#include "session/protocol_v2.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "fake_client.h"
#include "session/protocol_v1.h"

namespace rk::session {
namespace {

using fakes::World;
using V2Client = fakes::FakeClient<ProtocolV2>;
using V1Client = fakes::FakeClient<ProtocolV1>;

struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& text) { root = parser.parse(text).value(); }
  std::string str(const char* key) { return std::string(root[key].get_string().value()); }
  std::int64_t num(const char* key) { return root[key].get_int64().value(); }
};

std::string join_key(V2Client& creator) { return Json(creator.received.at(0)).str("join"); }

std::string init(std::string_view person, std::string_view key = {}) {
  std::string out = R"({"type":"init","v":2,"person":")" + std::string(person) + "\"";
  if (!key.empty()) out += R"(,"join":")" + std::string(key) + "\"";
  return out + "}";
}

TEST(ProtocolV2, CreatingAnswersJoinedWithTheCreatorAsOnlyMember) {
  World world;
  V2Client ana(world);
  ana.say(init("ana"));
  ASSERT_EQ(ana.received.size(), 1u);
  Json joined(ana.received[0]);
  EXPECT_EQ(joined.str("type"), "joined");
  EXPECT_EQ(joined.num("v"), 2);
  EXPECT_TRUE(joined.root["created"].get_bool().value());
  EXPECT_EQ(joined.num("offset"), 0);
  EXPECT_EQ(joined.root["members"].get_array().size(), 1u);
  EXPECT_EQ(std::string(joined.root["you"]["person"].get_string().value()), "ana");
  EXPECT_TRUE(joined.root["state"].get_array().size() == 0);
}

TEST(ProtocolV2, PublicationsCarryOffsetsFromOneAndAreAcknowledgedNotEchoed) {
  World world;
  V2Client ana(world), ben(world);
  ana.say(init("ana"));
  ben.say(init("ben", join_key(ana)));
  const std::string ben_id(Json(ben.received.at(0)).root["you"]["id"].get_string().value());
  ana.received.clear();
  ben.received.clear();
  ben.say(R"({"type":"message","data":{"t":"hi"},"id":"m-1"})");
  ben.say(R"({"type":"Location Data","latitude":52.5,"longitude":13.4,"id":7})");
  ASSERT_EQ(ben.received.size(), 2u);
  EXPECT_EQ(ben.received[0], R"({"type":"ack","id":"m-1","offset":1})");
  EXPECT_EQ(ben.received[1], R"({"type":"ack","id":7,"offset":2})");
  ASSERT_EQ(ana.received.size(), 2u);
  Json first(ana.received[0]);
  EXPECT_EQ(first.str("type"), "message");
  EXPECT_EQ(first.str("person"), "ben");
  EXPECT_EQ(first.num("offset"), 1);
  EXPECT_GT(first.num("at"), 1'700'000'000'000);
  Json second(ana.received[1]);
  EXPECT_EQ(second.num("offset"), 2);
  EXPECT_EQ(second.str("from"), ben_id);
  EXPECT_EQ(first.str("from"), ben_id);
}

TEST(ProtocolV2, V1AndV2MembersEachGetTheirOwnFramesOfEveryMessage) {
  World world;
  V2Client ana(world);
  V1Client old(world);
  ana.say(init("ana"));
  old.say(R"({"type":"init","person":"old","join":")" + join_key(ana) + R"("})");
  Json presence(ana.last());
  EXPECT_EQ(presence.str("event"), "join");
  ana.say(R"({"type":"Location Data","latitude":1.5,"longitude":2})");
  EXPECT_EQ(old.last(), R"({"type":"Location Data","person":"ana","latitude":1.5,"longitude":2})");
  ana.say(R"({"type":"state","data":{"battery":80}})");
  EXPECT_EQ(old.last(), R"({"type":"message","person":"ana","data":{"battery":80}})");
  old.say(R"({"type":"message","data":"from v1"})");
  Json relayed(ana.last());
  EXPECT_EQ(relayed.str("type"), "message");
  EXPECT_EQ(relayed.str("person"), "old");
  EXPECT_EQ(relayed.num("offset"), 3);  // one sequence for the room, whoever sends
  old.protocol.on_leaving(room::LeaveReason::kTimeout);
  Json left(ana.last());
  EXPECT_EQ(left.str("event"), "leave");
  EXPECT_EQ(left.str("reason"), "timeout");
}

TEST(ProtocolV2, AJoinerGetsEachPersonsLastStateAlsoOfThoseWhoLeft) {
  World world;
  V2Client ana(world), ben(world), cy(world);
  ana.say(init("ana"));
  const std::string key = join_key(ana);
  ben.say(init("ben", key));
  ben.say(R"({"type":"Location Data","latitude":1,"longitude":1})");
  ana.say(R"({"type":"state","data":"busy"})");
  ben.say(R"({"type":"Location Data","latitude":2,"longitude":2})");
  ben.protocol.on_leaving(room::LeaveReason::kClosed);
  cy.say(init("cy", key));
  Json joined(cy.received.at(0));
  auto state = joined.root["state"].get_array().value();
  ASSERT_EQ(state.size(), 2u);
  EXPECT_EQ(std::string(state.at(0)["person"].get_string().value()), "ana");  // oldest first
  EXPECT_EQ(state.at(1)["latitude"].get_int64().value(), 2);                   // ben's latest location
  EXPECT_EQ(joined.root["members"].get_array().size(), 2u);                     // ana and cy
}

TEST(ProtocolV2, ResumeGivesEverythingMissedOrNothing) {
  World world;
  V2Client ana(world), ben(world);
  ana.say(init("ana"));
  const std::string key = join_key(ana);
  const std::string epoch = Json(ana.received[0]).str("epoch");
  ben.say(init("ben", key));
  for (int i = 0; i < 5; ++i) ana.say(R"({"type":"message","data":)" + std::to_string(i) + "}");
  V2Client back(world);
  back.say(R"({"type":"init","v":2,"person":"ben","join":")" + key + R"(","since":{"epoch":")" + epoch +
           R"(","offset":2}})");
  Json resumed(back.received.at(0));
  EXPECT_TRUE(resumed.root["recovered"].get_bool().value());
  auto missed = resumed.root["missed"].get_array().value();
  ASSERT_EQ(missed.size(), 3u);
  EXPECT_EQ(missed.at(0)["offset"].get_int64().value(), 3);
  EXPECT_EQ(missed.at(2)["offset"].get_int64().value(), 5);

  V2Client stale(world);
  stale.say(R"({"type":"init","v":2,"person":"x","join":")" + key + R"(","since":{"epoch":"other","offset":2}})");
  Json refused(stale.received.at(0));
  EXPECT_FALSE(refused.root["recovered"].get_bool().value());
  EXPECT_EQ(refused.root["missed"].get_array().size(), 0u);
}

TEST(ProtocolV2, ResumeBeyondWhatHistoryHoldsIsNotRecovered) {
  World small;
  small.context.rooms.retention().limits.history_size = 3;
  V2Client ana(small);
  ana.say(init("ana"));
  const std::string key = join_key(ana);
  const std::string epoch = Json(ana.received[0]).str("epoch");
  for (int i = 0; i < 6; ++i) ana.say(R"({"type":"message","data":0})");
  V2Client late(small);
  late.say(R"({"type":"init","v":2,"person":"b","join":")" + key + R"(","since":{"epoch":")" + epoch +
           R"(","offset":2}})");  // 3 was trimmed: 4..6 are held
  EXPECT_FALSE(Json(late.received.at(0)).root["recovered"].get_bool().value());
  V2Client recent(small);
  recent.say(R"({"type":"init","v":2,"person":"c","join":")" + key + R"(","since":{"epoch":")" + epoch +
             R"(","offset":3}})");
  EXPECT_TRUE(Json(recent.received.at(0)).root["recovered"].get_bool().value());
}

TEST(ProtocolV2, HistoryAndPresenceAreAnsweredOnRequest) {
  World world;
  V2Client ana(world), ben(world);
  ana.say(init("ana"));
  ben.say(init("ben", join_key(ana)));
  for (int i = 0; i < 4; ++i) ana.say(R"({"type":"message","data":)" + std::to_string(i) + "}");
  ben.say(R"({"type":"history","since":1,"limit":2})");
  Json history(ben.last());
  EXPECT_EQ(history.num("offset"), 4);
  auto publications = history.root["publications"].get_array().value();
  ASSERT_EQ(publications.size(), 2u);
  EXPECT_EQ(publications.at(0)["offset"].get_int64().value(), 2);
  ben.say(R"({"type":"history","limit":1})");
  EXPECT_EQ(Json(ben.last()).root["publications"].at(0)["offset"].get_int64().value(), 4);
  ben.say(R"({"type":"presence"})");
  EXPECT_EQ(Json(ben.last()).root["members"].get_array().size(), 2u);
}

TEST(ProtocolV2, ErrorsCarryStableCodes) {
  World world;
  V2Client ana(world);
  ana.say(init("ana"));
  ana.say(R"({"type":"Location Data","latitude":"north","longitude":1,"id":"x"})");
  Json bad(ana.last());
  EXPECT_EQ(bad.str("code"), "invalid_message");
  EXPECT_EQ(bad.str("id"), "x");
  ana.say(R"({"type":"destroy","join":"another"})");
  EXPECT_EQ(Json(ana.last()).str("code"), "not_your_room");
  ana.say(init("ana"));
  EXPECT_EQ(Json(ana.last()).str("code"), "already_in_room");
  V2Client lost(world);
  lost.store_answer = store::StoreStatus::kNotFound;
  lost.say(init("x", "no-such-key"));
  EXPECT_EQ(Json(lost.last()).str("code"), "not_found");
  EXPECT_EQ(lost.close_code, 1000);
}

TEST(ProtocolV2, DestroyTellsV2MembersDestroyedAndV1MembersTheOriginalNotice) {
  World world;
  V2Client ana(world);
  V1Client old(world);
  ana.say(init("ana"));
  const std::string key = join_key(ana);
  old.say(R"({"type":"init","person":"old","join":")" + key + R"("})");
  ana.say(R"({"type":"destroy","join":")" + key + R"("})");
  EXPECT_EQ(ana.last(), R"({"type":"destroyed","join":")" + key + R"("})");
  EXPECT_EQ(ana.close_code, 1000);
  EXPECT_EQ(old.last(), R"({"type":"connection_message","message":")" + key + R"( Session Destroyed!"})");
  EXPECT_EQ(old.close_code, 1000);
}

TEST(ProtocolV2, WithoutTokenAuthAnInitMustNameItsPerson) {
  World world;
  V2Client ana(world);
  ana.say(R"({"type":"init","v":2,"token":"a.b.c"})");
  EXPECT_EQ(ana.last(), R"({"type":"error","code":"invalid_init","message":"Invalid init: \"person\" is required."})");
  EXPECT_EQ(ana.close_code, 1000);
}

TEST(ProtocolV2, RefreshWithoutTokenAuthIsRefusedAndTheConnectionStays) {
  World world;
  V2Client ana(world);
  ana.say(init("ana"));
  ana.say(R"({"type":"refresh","token":"a.b.c"})");
  EXPECT_EQ(ana.last(), R"({"type":"error","code":"unauthorized","message":"Unauthorized: token auth is off."})");
  EXPECT_EQ(ana.close_code, 0);
}

TEST(ProtocolV2, JoinedSaysWhetherTheJoinerOwnsTheRoom) {
  World world;
  V2Client ana(world), ben(world), ana_again(world);
  ana.say(init("ana"));
  EXPECT_TRUE(Json(ana.received.at(0)).root["owner"].get_bool().value());
  const std::string key = join_key(ana);
  ben.say(init("ben", key));
  EXPECT_FALSE(Json(ben.received.at(0)).root["owner"].get_bool().value());
  ana_again.say(init("ana", key));  // without auth the owner is the creator's person name
  EXPECT_TRUE(Json(ana_again.received.at(0)).root["owner"].get_bool().value());
  ben.say(R"({"type":"destroy","join":")" + key + R"("})");  // without auth anyone in the room may
  EXPECT_EQ(ana.close_code, 1000);
}

}  // namespace
}  // namespace rk::session
