#include "ws/websocket_session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ws/frame_writer.h"

namespace rk::ws {
namespace {

struct Recorder : SessionEvents {
  std::vector<std::string> texts;
  int binaries = 0;
  int closing = 0;
  int handshake_done = 0;
  std::vector<std::string> sent;  // frames the session itself sent
  void on_text(std::string_view text) override { texts.emplace_back(text); }
  void on_binary() override { ++binaries; }
  void on_closing(CloseCode, bool) override { ++closing; }
  void on_close_handshake_done() override { ++handshake_done; }
  void send_frame(FramePtr frame) override { sent.emplace_back(frame->view()); }
};

struct SessionTest : ::testing::Test {
  Recorder recorder;
  WebSocketSession session{1024, recorder};
  void feed(std::string bytes) { session.receive(bytes.data(), bytes.size()); }
};

TEST_F(SessionTest, ReportsTextMessagesEvenWhenFramesArriveByteByByte) {
  const std::string wire = make_client_frame(Opcode::kText, "hello") + make_client_frame(Opcode::kText, "world");
  for (char byte : wire) feed(std::string(1, byte));
  EXPECT_EQ(recorder.texts, (std::vector<std::string>{"hello", "world"}));
  EXPECT_FALSE(session.has_carry());
}

TEST_F(SessionTest, AnswersPingsWithPongsCarryingThePayload) {
  feed(make_client_frame(Opcode::kPing, "abc"));
  ASSERT_EQ(recorder.sent.size(), 1u);
  EXPECT_EQ(recorder.sent[0], make_frame(Opcode::kPong, {"abc"})->view());
}

TEST_F(SessionTest, EchoesThePeersCloseAndReportsTheHandshakeDone) {
  feed(make_client_frame(Opcode::kClose, std::string("\x0f\xa1", 2) + "bye"));  // 4001
  ASSERT_EQ(recorder.sent.size(), 1u);
  EXPECT_EQ(recorder.sent[0], make_close_frame(static_cast<CloseCode>(4001))->view());
  EXPECT_EQ(recorder.closing, 1);
  EXPECT_EQ(recorder.handshake_done, 1);
  EXPECT_FALSE(session.open());
  feed(make_client_frame(Opcode::kText, "late"));  // nothing after the close counts
  EXPECT_TRUE(recorder.texts.empty());
}

TEST_F(SessionTest, ClosesWithTheViolationsCodeAndThenOnlyWaitsForThePeersClose) {
  std::string unmasked = "\x81\x02hi";
  feed(unmasked + make_client_frame(Opcode::kText, "after"));
  ASSERT_EQ(recorder.sent.size(), 1u);
  EXPECT_EQ(recorder.sent[0].substr(2, 2), std::string("\x03\xea", 2));  // 1002
  EXPECT_TRUE(recorder.texts.empty());
  EXPECT_EQ(recorder.closing, 1);
  feed(make_client_frame(Opcode::kText, "later"));  // no messages once closing
  EXPECT_TRUE(recorder.texts.empty());
  feed(make_client_frame(Opcode::kClose, std::string("\x03\xea", 2)));  // the peer's answer
  EXPECT_EQ(recorder.handshake_done, 1);
  EXPECT_EQ(recorder.sent.size(), 1u);  // no second close frame
}

TEST_F(SessionTest, HoldsMessagesWhilePausedAndDeliversThemInOrderOnResume) {
  struct Pausing : Recorder {
    WebSocketSession* session = nullptr;
    void on_text(std::string_view text) override {
      Recorder::on_text(text);
      if (text == "init") session->pause();
    }
  } pausing;
  WebSocketSession paused_session(1024, pausing);
  pausing.session = &paused_session;
  std::string wire = make_client_frame(Opcode::kText, "init") + make_client_frame(Opcode::kText, "one") +
                     make_client_frame(Opcode::kText, "two");
  paused_session.receive(wire.data(), wire.size());
  EXPECT_EQ(pausing.texts, (std::vector<std::string>{"init"}));
  EXPECT_TRUE(paused_session.has_carry());
  paused_session.resume();
  EXPECT_EQ(pausing.texts, (std::vector<std::string>{"init", "one", "two"}));
}

TEST_F(SessionTest, QueuesOneCloseFrameOnly) {
  EXPECT_TRUE(session.close(CloseCode::kGoingAway, "bye"));
  EXPECT_FALSE(session.close(CloseCode::kNormal, "again"));
  EXPECT_EQ(recorder.sent.size(), 1u);
  feed(make_client_frame(Opcode::kText, "ignored"));
  EXPECT_TRUE(recorder.texts.empty());
}

TEST_F(SessionTest, RefusesAMessageOverTheLimitWith1009) {
  feed(make_client_frame(Opcode::kText, std::string(2000, 'x')));
  ASSERT_EQ(recorder.sent.size(), 1u);
  EXPECT_EQ(recorder.sent[0].substr(2, 2), std::string("\x03\xf1", 2));  // 1009
}

}  // namespace
}  // namespace rk::ws
