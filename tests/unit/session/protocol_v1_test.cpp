// Protocol v1's handler driven through its narrow interface: a fake client
// link records what would be sent, a fake host answers for the store.
#include "session/protocol_v1.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_client.h"
#include "ws/frame_writer.h"

namespace rk::session {
namespace {

using fakes::World;
using FakeClient = fakes::FakeClient<ProtocolV1>;

std::string key_of(const std::string& init_reply) {
  const auto start = init_reply.find(R"("join":")") + 8;
  return init_reply.substr(start, init_reply.find('"', start) - start);
}

TEST(ProtocolV1, CreatesARoomOnlyAfterTheStoreSaysSoAndRepliesWithItsKey) {
  World world;
  FakeClient ana(world);
  ana.say(R"({"type":"init","person":"ana"})");
  ASSERT_EQ(ana.store_asked, std::vector<store::StoreOp>{store::StoreOp::kCreate});
  ASSERT_EQ(ana.received.size(), 1u);
  EXPECT_EQ(ana.received[0].rfind(R"({"type":"init","join":")", 0), 0u);
  EXPECT_TRUE(ana.protocol.in_room());
  EXPECT_EQ(world.context.rooms.size(), 1u);
}

TEST(ProtocolV1, RelaysToTheOtherMembersWithTheSendersNameAndNoEcho) {
  World world;
  FakeClient ana(world), ben(world);
  ana.say(R"({"type":"init","person":"ana"})");
  const std::string key = key_of(ana.received[0]);
  ben.say(R"({"type":"init","person":"ben","join":")" + key + R"("})");
  EXPECT_TRUE(ben.store_asked.empty());  // in memory already
  EXPECT_EQ(ana.last(), R"({"type":"connection_message","message":"ben Joined!"})");
  ben.say(R"({"type":"Location Data","person":"mallory","latitude":1.50,"longitude":-2})");
  EXPECT_EQ(ana.last(), R"({"type":"Location Data","person":"ben","latitude":1.50,"longitude":-2})");
  EXPECT_TRUE(ben.received.empty());
  ben.protocol.on_leaving(room::LeaveReason::kClosed);
  EXPECT_EQ(ana.last(), R"({"type":"connection_message","message":"ben Disconnected!"})");
}

TEST(ProtocolV1, RefusesAnUnknownKeyWithTheOriginalsErrorAndClose1000) {
  World world;
  FakeClient guesser(world);
  guesser.store_answer = store::StoreStatus::kNotFound;
  guesser.say(R"({"type":"init","person":"g","join":"nope"})");
  EXPECT_EQ(guesser.last(), R"({"type":"error","message":"Join Key Not Found!"})");
  EXPECT_EQ(guesser.close_code, 1000);
}

TEST(ProtocolV1, KeepsTheConnectionWhenTheStoreIsDownSoTheClientCanRetry) {
  World world;
  FakeClient ana(world);
  ana.store_answer = store::StoreStatus::kUnavailable;
  ana.say(R"({"type":"init","person":"ana"})");
  EXPECT_EQ(ana.last(),
            R"({"type":"error","message":"Room store unavailable: the room was not created, try again."})");
  EXPECT_EQ(ana.close_code, 0);
  ana.store_answer = store::StoreStatus::kOk;
  ana.say(R"({"type":"init","person":"ana"})");
  EXPECT_TRUE(ana.protocol.in_room());
}

TEST(ProtocolV1, DestroyTellsEveryMemberInItsOwnWordsAndClosesThemAll) {
  World world;
  FakeClient ana(world), ben(world);
  ana.say(R"({"type":"init","person":"ana"})");
  const std::string key = key_of(ana.received[0]);
  ben.say(R"({"type":"init","person":"ben","join":")" + key + R"("})");
  ben.say(R"({"type":"destroy","join":"another"})");
  EXPECT_EQ(ben.last(), R"({"type":"error","message":"Not your room: you can only destroy the room you are in."})");
  ben.say(R"({"type":"destroy","join":")" + key + R"("})");
  const std::string notice = R"({"type":"connection_message","message":")" + key + R"( Session Destroyed!"})";
  EXPECT_EQ(ana.last(), notice);
  EXPECT_EQ(ben.last(), notice);
  EXPECT_EQ(ana.close_code, 1000);
  EXPECT_EQ(ben.close_code, 1000);
  EXPECT_EQ(world.context.rooms.size(), 0u);
}

// Token auth, as the connection would have set it up: each client holds the
// claims of its token.
std::unique_ptr<auth::Claims> claims_for(std::string subject, bool admin = false) {
  auto claims = std::make_unique<auth::Claims>();
  claims->subject = subject;
  claims->name = "Name of " + subject;
  claims->expires_at = 4'000'000'000;
  claims->admin = admin;
  return claims;
}

TEST(ProtocolV1, WithTokenAuthOnlyTheOwnerOrAnAdminMayDestroy) {
  World world;
  FakeClient ana(world), ben(world), root(world);
  ana.held_claims = claims_for("u-ana");
  ben.held_claims = claims_for("u-ben");
  root.held_claims = claims_for("u-root", true);
  ana.say(R"({"type":"init","person":"ignored"})");
  const std::string key = key_of(ana.received[0]);
  EXPECT_EQ(world.context.rooms.find(key)->owner(), "u-ana");
  ben.say(R"({"type":"init","person":"x","join":")" + key + R"("})");
  root.say(R"({"type":"init","person":"x","join":")" + key + R"("})");
  EXPECT_EQ(ana.received.at(1), R"({"type":"connection_message","message":"Name of u-ben Joined!"})");
  ben.say(R"({"type":"destroy","join":")" + key + R"("})");
  EXPECT_EQ(ben.last(), R"({"type":"error","message":"Only the room's owner can destroy it."})");
  EXPECT_EQ(ben.close_code, 0);
  root.say(R"({"type":"destroy","join":")" + key + R"("})");
  EXPECT_EQ(ana.close_code, 1000);
  EXPECT_EQ(world.context.rooms.size(), 0u);
}

TEST(ProtocolV1, AFirstMessageThatIsNotAnInitClosesTheConnection) {
  World world;
  FakeClient ana(world);
  ana.say(R"({"type":"message","data":1})");
  EXPECT_EQ(ana.last(), R"({"type":"error","message":"Invalid message format."})");
  EXPECT_EQ(ana.close_code, 1000);
}

TEST(ProtocolV1, WithoutTokenAuthAnInitMustNameItsPersonEvenBesideAToken) {
  World world;  // no --auth-key: a token is ignored and names nobody
  FakeClient ana(world);
  ana.say(R"({"type":"init","token":"a.b.c"})");
  EXPECT_EQ(ana.last(), R"({"type":"error","message":"Invalid message format."})");
  EXPECT_EQ(ana.close_code, 1000);
}

}  // namespace
}  // namespace rk::session
