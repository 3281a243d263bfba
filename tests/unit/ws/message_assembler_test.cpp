#include "ws/message_assembler.h"
#include "ws/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace rk::ws {
namespace {

// Keeps payload storage alive for the frames handed to the assembler.
struct Frames {
  std::string storage[16];
  int used = 0;
  Frame make(Opcode op, std::string payload, bool fin = true) {
    auto& s = storage[used++];
    s = std::move(payload);
    return Frame{fin, op, std::span<char>(s.data(), s.size())};
  }
};

TEST(MessageAssembler, PassesAWholeTextMessage) {
  MessageAssembler a(1024);
  Frames f;
  const auto e = a.on_frame(f.make(Opcode::kText, "hi"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kText);
  EXPECT_EQ(e.payload, "hi");
}

TEST(MessageAssembler, JoinsFragmentsIntoOneMessage) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kText, "{\"a\":", false)).kind, WsEvent::Kind::kNone);
  EXPECT_EQ(a.on_frame(f.make(Opcode::kContinuation, "1", false)).kind, WsEvent::Kind::kNone);
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "}"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kText);
  EXPECT_EQ(e.payload, "{\"a\":1}");
}

TEST(MessageAssembler, AllowsControlFramesBetweenFragments) {
  MessageAssembler a(1024);
  Frames f;
  a.on_frame(f.make(Opcode::kBinary, "ab", false));
  const auto ping = a.on_frame(f.make(Opcode::kPing, "p"));
  EXPECT_EQ(ping.kind, WsEvent::Kind::kPing);
  EXPECT_EQ(ping.payload, "p");
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "cd"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kBinary);
  EXPECT_EQ(e.payload, "abcd");
}

TEST(MessageAssembler, RejectsAContinuationWithoutAStart) {
  MessageAssembler a(1024);
  Frames f;
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "x"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
  EXPECT_EQ(e.close_code, CloseCode::kProtocolError);
}

TEST(MessageAssembler, RejectsANewMessageInsideAFragmentedOne) {
  MessageAssembler a(1024);
  Frames f;
  a.on_frame(f.make(Opcode::kText, "x", false));
  const auto e = a.on_frame(f.make(Opcode::kText, "y"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
  EXPECT_EQ(e.close_code, CloseCode::kProtocolError);
}

TEST(MessageAssembler, EnforcesTheLimitAcrossFragments) {
  MessageAssembler a(10);
  Frames f;
  a.on_frame(f.make(Opcode::kText, "123456", false));
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "78901"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
  EXPECT_EQ(e.close_code, CloseCode::kMessageTooBig);
}

TEST(MessageAssembler, RejectsInvalidUtf8Text) {
  for (std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "abc\xFF", "\xE2\x82"}) {
    MessageAssembler a(1024);
    Frames f;
    const auto e = a.on_frame(f.make(Opcode::kText, bad));
    EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
    EXPECT_EQ(e.close_code, CloseCode::kInvalidPayload);
  }
}

TEST(MessageAssembler, ValidatesUtf8SplitAcrossFragmentsAsAWhole) {
  MessageAssembler a(1024);
  Frames f;
  a.on_frame(f.make(Opcode::kText, "\xE2\x82", false));  // first two bytes of the euro sign
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "\xAC"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kText);
  EXPECT_EQ(e.payload, "\xE2\x82\xAC");
}

TEST(MessageAssembler, RefusesBadUtf8InAFirstFragmentWithoutWaitingForTheRest) {
  MessageAssembler a(1024);
  Frames f;
  const auto e = a.on_frame(f.make(Opcode::kText, "ok \xC0\xAF", false));  // an overlong '/'
  EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
  EXPECT_EQ(e.close_code, CloseCode::kInvalidPayload);
}

TEST(MessageAssembler, RefusesBadUtf8InAMiddleFragment) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kText, "fine", false)).kind, WsEvent::Kind::kNone);
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "\xED\xA0\x80", false));  // a surrogate
  EXPECT_EQ(e.kind, WsEvent::Kind::kViolation);
  EXPECT_EQ(e.close_code, CloseCode::kInvalidPayload);
}

TEST(MessageAssembler, AcceptsACodePointSplitOneByteAFragment) {
  MessageAssembler a(1024);
  Frames f;
  // U+1F600 is F0 9F 98 80: every fragment but the last ends inside it.
  EXPECT_EQ(a.on_frame(f.make(Opcode::kText, "a\xF0", false)).kind, WsEvent::Kind::kNone);
  EXPECT_EQ(a.on_frame(f.make(Opcode::kContinuation, "\x9F", false)).kind, WsEvent::Kind::kNone);
  EXPECT_EQ(a.on_frame(f.make(Opcode::kContinuation, "\x98", false)).kind, WsEvent::Kind::kNone);
  const auto e = a.on_frame(f.make(Opcode::kContinuation, "\x80" "b"));
  EXPECT_EQ(e.kind, WsEvent::Kind::kText);
  EXPECT_EQ(e.payload, "a\xF0\x9F\x98\x80" "b");
}

TEST(MessageAssembler, AnUnfinishedSequenceAtTheEndOfTheMessageIsInvalid) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kText, "a\xE2\x82", false)).kind, WsEvent::Kind::kNone);
  EXPECT_EQ(a.on_frame(f.make(Opcode::kContinuation, "")).kind, WsEvent::Kind::kViolation);
}

TEST(CompleteUtf8Prefix, HoldsBackOnlyAnUnfinishedSequence) {
  EXPECT_EQ(complete_utf8_prefix(""), 0u);
  EXPECT_EQ(complete_utf8_prefix("abc"), 3u);
  EXPECT_EQ(complete_utf8_prefix("ab\xC3"), 2u);
  EXPECT_EQ(complete_utf8_prefix("ab\xC3\xA9"), 4u);
  EXPECT_EQ(complete_utf8_prefix("ab\xE2\x82"), 2u);
  EXPECT_EQ(complete_utf8_prefix("ab\xE2\x82\xAC"), 5u);
  EXPECT_EQ(complete_utf8_prefix("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(complete_utf8_prefix("\x80\x80\x80\x80"), 4u) << "stray continuation bytes go to the validator";
}

TEST(MessageAssembler, AcceptsBinaryThatIsNotUtf8) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kBinary, "\xFF\xFE")).kind, WsEvent::Kind::kBinary);
}

TEST(MessageAssembler, ReadsCloseFrames) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kClose, "")).close_code, CloseCode::kNoStatus);
  const auto normal = a.on_frame(f.make(Opcode::kClose, std::string("\x03\xE8", 2) + "bye"));
  EXPECT_EQ(normal.kind, WsEvent::Kind::kClose);
  EXPECT_EQ(normal.peer_close_code, 1000);
  EXPECT_EQ(normal.payload, "bye");
  const auto app = a.on_frame(f.make(Opcode::kClose, std::string("\x0F\xA0", 2)));  // 4000
  EXPECT_EQ(app.kind, WsEvent::Kind::kClose);
  EXPECT_EQ(app.peer_close_code, 4000);
}

TEST(MessageAssembler, RejectsBadCloseFrames) {
  MessageAssembler a(1024);
  Frames f;
  EXPECT_EQ(a.on_frame(f.make(Opcode::kClose, "\x03")).close_code, CloseCode::kProtocolError);
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
    const char bytes[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    const auto e = a.on_frame(f.make(Opcode::kClose, std::string(bytes, 2)));
    EXPECT_EQ(e.kind, WsEvent::Kind::kViolation) << code;
    EXPECT_EQ(e.close_code, CloseCode::kProtocolError) << code;
    f.used = 0;
  }
  const auto bad_reason = a.on_frame(f.make(Opcode::kClose, std::string("\x03\xE8\xFF", 3)));
  EXPECT_EQ(bad_reason.close_code, CloseCode::kInvalidPayload);
}

}  // namespace
}  // namespace rk::ws
