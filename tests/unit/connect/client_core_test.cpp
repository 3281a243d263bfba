#include <gtest/gtest.h>

#include "connect/client_core.h"
#include "connect/event_text.h"

namespace rk::connect {
namespace {

using Lines = std::vector<std::string>;

ClientCore v2_client(std::optional<std::string> join = {}, bool json = false) {
  return ClientCore({Protocol::kV2, "ana \"A\"", std::move(join), {}, json});
}

constexpr const char* kJoined =
    R"({"type":"joined","v":2,"join":"K1","created":false,"owner":false,"you":{"id":"b","person":"ben"},)"
    R"("members":[{"id":"a","person":"ana"},{"id":"b","person":"ben"}],"epoch":"E","offset":1,)"
    R"("state":[{"type":"Location Data","from":"a","person":"ana","latitude":52.52,"longitude":13.405,"offset":1,"at":0}]})";

TEST(ClientCore, TheInitSaysWhoAndWhichRoomInEitherProtocol) {
  EXPECT_EQ(*v2_client().start().frame, R"({"type":"init","v":2,"person":"ana \"A\""})");
  EXPECT_EQ(*v2_client("K1").start().frame, R"({"type":"init","v":2,"person":"ana \"A\"","join":"K1"})");
  ClientCore v1({Protocol::kV1, "ben", "K1", "T.O.K", false});
  EXPECT_EQ(*v1.start().frame, R"({"type":"init","person":"ben","join":"K1","token":"T.O.K"})");
  EXPECT_TRUE(v1.needs_join_check());
  EXPECT_FALSE(v1.entered());
  EXPECT_EQ(v1.on_join_confirmed().events, Lines{"joined room K1 (protocol v1)"});
  EXPECT_TRUE(v1.entered());
  ClientCore v1_json({Protocol::kV1, "ben", "K1", {}, true});
  EXPECT_EQ(v1_json.on_join_confirmed().notes, Lines{"joined room K1 as ben (protocol v1)"});
}

TEST(ClientCore, ACreatedRoomsKeyIsOnALineOfItsOwn) {
  ClientCore client = v2_client();
  const Reaction joined = client.on_frame(
      R"({"type":"joined","v":2,"join":"K9","created":true,"owner":true,"you":{"id":"x1","person":"ana"},)"
      R"("members":[{"id":"x1","person":"ana"}],"epoch":"E","offset":0,"state":[]})");
  EXPECT_EQ(joined.events, (Lines{"created room K9 as ana (id x1)", "key: K9"}));
  EXPECT_TRUE(client.entered());
  EXPECT_EQ(client.key(), "K9");
}

TEST(ClientCore, AJoinerSeesTheMembersAndTheLastKnownState) {
  ClientCore client = v2_client("K1");
  client.set_now_ms(0);
  const Reaction joined = client.on_frame(kJoined);
  ASSERT_EQ(joined.events.size(), 2u);
  EXPECT_EQ(joined.events[0], "joined room K1 as ben (id b); members: ana, ben");
  EXPECT_TRUE(joined.events[1].starts_with("last known: #1 ")) << joined.events[1];
  EXPECT_TRUE(joined.events[1].ends_with(" ana is at 52.52, 13.405")) << joined.events[1];
}

TEST(ClientCore, EventsReadAsSentences) {
  ClientCore client = v2_client("K1");
  client.on_frame(kJoined);
  const auto said = [&](const char* frame) { return client.on_frame(frame).events; };
  EXPECT_EQ(said(R"({"type":"presence","event":"join","member":{"id":"c","person":"cy"}})"), Lines{"cy joined"});
  EXPECT_EQ(said(R"({"type":"presence","event":"leave","member":{"id":"c","person":"cy"},"reason":"timeout"})"),
            Lines{"cy left (timeout)"});
  EXPECT_EQ(said(R"({"type":"message","from":"a","person":"ana","data":"hello","offset":2,"at":1})"),
            Lines{"ana: hello"});
  EXPECT_EQ(said(R"({"type":"message","from":"a","person":"ana","data":{"n" : [1, 2]},"offset":3,"at":1})"),
            Lines{R"(ana: {"n":[1,2]})"});
  EXPECT_EQ(said(R"({"type":"state","from":"a","person":"ana","data":"tired","offset":4,"at":1})"),
            Lines{R"(ana set state "tired")"});
  EXPECT_EQ(said(R"({"type":"ack","id":1,"offset":5})"), Lines{"sent (offset 5)"});
  EXPECT_EQ(said(R"({"type":"error","code":"invalid_location","message":"Bad.","id":2})"),
            Lines{"error invalid_location: Bad."});
  EXPECT_EQ(client.last_error(), "invalid_location: Bad.");
  EXPECT_EQ(said(R"({"type":"presence","members":[{"id":"a","person":"ana"},{"id":"b","person":"ben"}]})"),
            Lines{"members: ana (id a), ben (id b)"});
  EXPECT_EQ(said(R"({"type":"history","epoch":"E","offset":9,"publications":[]})"),
            Lines{"history: 0 publications (the room is at offset 9)"});
  EXPECT_EQ(said(R"({"type":"surprise","n":1})"), Lines{R"(surprise {"type":"surprise","n":1})"});
  EXPECT_FALSE(client.destroyed());
  EXPECT_EQ(said(R"({"type":"destroyed","join":"K1"})"), Lines{"room destroyed"});
  EXPECT_TRUE(client.destroyed());
}

TEST(ClientCore, V1FramesReadTheSameWay) {
  ClientCore client({Protocol::kV1, "ana", {}, {}, false});
  EXPECT_EQ(client.on_frame(R"({"type":"init","join":"K2"})").events,
            (Lines{"created room K2 as ana (protocol v1)", "key: K2"}));
  const auto said = [&](const char* frame) { return client.on_frame(frame).events; };
  EXPECT_EQ(said(R"({"type":"connection_message","message":"ben Joined!"})"), Lines{"ben joined"});
  EXPECT_EQ(said(R"({"type":"Location Data","person":"ben","latitude":1,"longitude":2})"), Lines{"ben is at 1, 2"});
  EXPECT_EQ(said(R"({"type":"message","person":"ben","data":"hi"})"), Lines{"ben: hi"});
  EXPECT_EQ(said(R"({"type":"error","message":"Not your room."})"), Lines{"error: Not your room."});
  EXPECT_EQ(said(R"({"type":"connection_message","message":"ben Disconnected!"})"), Lines{"ben left"});
  EXPECT_EQ(said(R"({"type":"connection_message","message":"K2 Session Destroyed!"})"), Lines{"room destroyed"});
  EXPECT_TRUE(client.destroyed());
}

TEST(ClientCore, TypedLinesBecomeFramesOfTheProtocolSpoken) {
  ClientCore v2 = v2_client("K1");
  v2.on_frame(kJoined);
  EXPECT_EQ(*v2.on_line("hi \"you\"").frame, R"({"type":"message","data":"hi \"you\"","id":1})");
  EXPECT_EQ(*v2.on_line("/loc 1.5 -2").frame, R"({"type":"Location Data","latitude":1.5,"longitude":-2,"id":2})");
  EXPECT_EQ(*v2.on_line(R"(/state {"a": 1})").frame, R"({"type":"state","data":{"a": 1},"id":3})");
  EXPECT_EQ(*v2.on_line("/history").frame, R"({"type":"history"})");
  EXPECT_EQ(*v2.on_line("/history 5").frame, R"({"type":"history","limit":5})");
  EXPECT_EQ(*v2.on_line("/presence").frame, R"({"type":"presence"})");
  EXPECT_EQ(*v2.on_line("/destroy").frame, R"({"type":"destroy","join":"K1"})");
  EXPECT_EQ(*v2.on_line(R"(/raw {"type":"x"})").frame, R"({"type":"x"})");
  EXPECT_TRUE(v2.on_line("/quit").quit);
  EXPECT_FALSE(v2.on_line("/help").notes.empty());

  ClientCore v1({Protocol::kV1, "ben", "K1", {}, false});
  v1.on_join_confirmed();
  EXPECT_EQ(*v1.on_line("hi").frame, R"({"type":"message","data":"hi"})");
  EXPECT_EQ(*v1.on_line("/loc 1 2").frame, R"({"type":"Location Data","person":"ben","latitude":1,"longitude":2})");
  EXPECT_EQ(*v1.on_line("/destroy").frame, R"({"type":"destroy","join":"K1"})");
  for (const char* v2_only : {"/state 1", "/presence", "/history"}) {
    const Reaction refused = v1.on_line(v2_only);
    EXPECT_FALSE(refused.frame) << v2_only;
    ASSERT_EQ(refused.notes.size(), 1u);
    EXPECT_NE(refused.notes[0].find("needs protocol v2"), std::string::npos);
  }
}

TEST(ClientCore, LeavingWaitsForAnAnswerToEachRequest) {
  ClientCore client = v2_client("K1");
  client.on_frame(kJoined);
  client.on_line("one");
  client.on_line("/history");
  client.on_line("/presence");
  client.on_line(R"(/raw {"type":"message","data":1})");  // no id: no answer to wait for
  client.on_line("/loc 99 0");                            // refused here: nothing sent
  EXPECT_EQ(client.awaiting_answers(), 3);
  client.on_frame(R"({"type":"ack","id":1,"offset":2})");
  client.on_frame(R"({"type":"history","epoch":"E","offset":2,"publications":[]})");
  EXPECT_EQ(client.awaiting_answers(), 1);
  client.on_frame(R"({"type":"presence","event":"join","member":{"id":"c","person":"cy"}})");  // not an answer
  EXPECT_EQ(client.awaiting_answers(), 1);
  client.on_frame(R"({"type":"presence","members":[]})");
  EXPECT_EQ(client.awaiting_answers(), 0);
}

TEST(ClientCore, JsonModePrintsEachFrameAsReceivedOnOneLine) {
  ClientCore client = v2_client("K1", true);
  EXPECT_EQ(client.on_frame(kJoined).events, Lines{kJoined});
  EXPECT_TRUE(client.entered());
  EXPECT_EQ(client.on_frame("{\"type\":\"message\",\"person\":\"a\",\"data\":{ \"x\" :\n 1}}").events,
            Lines{R"({"type":"message","person":"a","data":{"x":1}})"});
  const Reaction garbage = client.on_frame("not json");
  EXPECT_TRUE(garbage.events.empty());
  EXPECT_EQ(garbage.notes.size(), 1u);
}

TEST(EventText, ControlCharactersArePrintedAsEscapes) {
  EXPECT_EQ(printable("plain, caf\xc3\xa9\ttab"), "plain, caf\xc3\xa9\ttab");
  EXPECT_EQ(printable("\x1b[2J\r\n\x7f"), "\\x1b[2J\\r\\n\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m \xc2\xa0"),
            "\\u009b31m \xc2\xa0");
}

}  // namespace
}  // namespace rk::connect
