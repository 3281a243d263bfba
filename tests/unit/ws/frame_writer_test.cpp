#include "ws/frame_writer.h"

#include <gtest/gtest.h>

#include "ws/frame_parser.h"

namespace rk::ws {
namespace {

// Reads a server frame back with the parser in client mode.
std::string read_back(const std::string& frame, Opcode expected) {
  std::string copy = frame;
  const auto r = parse_frame(std::span<char>(copy.data(), copy.size()), {1u << 30, false});
  EXPECT_EQ(r.status, ParseStatus::kFrame);
  EXPECT_EQ(r.consumed, frame.size());
  EXPECT_EQ(r.frame.opcode, expected);
  EXPECT_TRUE(r.frame.fin);
  return {r.frame.payload.data(), r.frame.payload.size()};
}

TEST(FrameWriter, ConcatenatesPiecesIntoOneFrame) {
  const auto frame = make_text_frame({"ab", "", "cd"});
  EXPECT_EQ(read_back(std::string(frame->view()), Opcode::kText), "abcd");
  EXPECT_EQ(frame->size(), 6u);
}

TEST(FrameWriter, UsesTheShortestLengthEncoding) {
  EXPECT_EQ(make_text_frame({std::string(125, 'a')})->size(), 2u + 125);
  EXPECT_EQ(make_text_frame({std::string(126, 'a')})->size(), 4u + 126);
  EXPECT_EQ(make_text_frame({std::string(65535, 'a')})->size(), 4u + 65535);
  EXPECT_EQ(make_text_frame({std::string(65536, 'a')})->size(), 10u + 65536);
  EXPECT_EQ(read_back(std::string(make_text_frame({std::string(65536, 'a')})->view()), Opcode::kText).size(), 65536u);
}

TEST(FrameWriter, BuildsCloseFramesWithCodeAndReason) {
  const auto frame = make_close_frame(CloseCode::kMessageTooBig, "too big");
  const auto payload = read_back(std::string(frame->view()), Opcode::kClose);
  ASSERT_GE(payload.size(), 2u);
  EXPECT_EQ((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]), 1009);
  EXPECT_EQ(payload.substr(2), "too big");
  EXPECT_EQ(read_back(std::string(make_close_frame(CloseCode::kNoStatus)->view()), Opcode::kClose), "");
}

TEST(FrameWriter, CutsLongCloseReasonsOnACharacterBoundary) {
  std::string reason;
  for (int i = 0; i < 60; ++i) reason += "\xC3\xA9";  // 120 bytes of é
  reason += "xyz\xE2\x82\xAC";                        // pushes past 123 inside the euro sign
  const auto payload = read_back(std::string(make_close_frame(CloseCode::kNormal, reason)->view()), Opcode::kClose);
  EXPECT_LE(payload.size(), 125u);
  EXPECT_EQ(payload.substr(2), reason.substr(0, 123));
}

}  // namespace
}  // namespace rk::ws
