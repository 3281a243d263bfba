#include "ws/frame_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "ws/frame_writer.h"

namespace rk::ws {
namespace {

FrameLimits server_limits(std::uint64_t max = 1 << 20) { return {max, true}; }

FrameParseResult parse(std::string& bytes, std::uint64_t max = 1 << 20) {
  return parse_frame(std::span<char>(bytes.data(), bytes.size()), server_limits(max));
}

std::string payload_of(const FrameParseResult& r) { return {r.frame.payload.data(), r.frame.payload.size()}; }

TEST(FrameParser, UnmasksASmallTextFrame) {
  auto bytes = make_client_frame(Opcode::kText, "hello");
  const auto r = parse(bytes);
  ASSERT_EQ(r.status, ParseStatus::kFrame);
  EXPECT_TRUE(r.frame.fin);
  EXPECT_EQ(r.frame.opcode, Opcode::kText);
  EXPECT_EQ(payload_of(r), "hello");
  EXPECT_EQ(r.consumed, bytes.size());
}

TEST(FrameParser, HandlesEveryLengthClassAtItsEdges) {
  for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    std::string payload(size, 'x');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    auto bytes = make_client_frame(Opcode::kBinary, payload, true, 0xA1B2C3D4);
    const auto r = parse(bytes);
    ASSERT_EQ(r.status, ParseStatus::kFrame) << size;
    EXPECT_EQ(payload_of(r), payload) << size;
    EXPECT_EQ(r.consumed, bytes.size()) << size;
  }
}

TEST(FrameParser, AsksForMoreAtEverySplitPoint) {
  const auto whole = make_client_frame(Opcode::kText, std::string(300, 'q'));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    std::string part = whole.substr(0, cut);
    EXPECT_EQ(parse(part).status, ParseStatus::kNeedMore) << cut;
  }
}

TEST(FrameParser, LeavesTheNextFrameAlone) {
  auto bytes = make_client_frame(Opcode::kText, "one") + make_client_frame(Opcode::kText, "two");
  const auto first = parse(bytes);
  ASSERT_EQ(first.status, ParseStatus::kFrame);
  EXPECT_EQ(payload_of(first), "one");
  std::span<char> rest(bytes.data() + first.consumed, bytes.size() - first.consumed);
  const auto second = parse_frame(rest, server_limits());
  ASSERT_EQ(second.status, ParseStatus::kFrame);
  EXPECT_EQ(std::string(second.frame.payload.data(), second.frame.payload.size()), "two");
}

TEST(FrameParser, RejectsUnmaskedClientFrames) {
  std::string bytes = "\x81\x02hi";
  const auto r = parse(bytes);
  EXPECT_EQ(r.status, ParseStatus::kViolation);
  EXPECT_EQ(r.violation, CloseCode::kProtocolError);
}

TEST(FrameParser, RejectsReservedBits) {
  for (char rsv : {'\x40', '\x20', '\x10'}) {
    auto bytes = make_client_frame(Opcode::kText, "x");
    bytes[0] = static_cast<char>(bytes[0] | rsv);
    EXPECT_EQ(parse(bytes).violation, CloseCode::kProtocolError);
    EXPECT_EQ(parse(bytes).status, ParseStatus::kViolation);
  }
}

TEST(FrameParser, RejectsReservedOpcodes) {
  for (int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    auto bytes = make_client_frame(Opcode::kText, "x");
    bytes[0] = static_cast<char>(0x80 | op);
    const auto r = parse(bytes);
    EXPECT_EQ(r.status, ParseStatus::kViolation) << op;
    EXPECT_EQ(r.violation, CloseCode::kProtocolError) << op;
  }
}

TEST(FrameParser, RejectsFragmentedOrOversizedControlFrames) {
  auto fragmented_ping = make_client_frame(Opcode::kPing, "x", false);
  EXPECT_EQ(parse(fragmented_ping).status, ParseStatus::kViolation);
  auto long_ping = make_client_frame(Opcode::kPing, std::string(126, 'p'));
  EXPECT_EQ(parse(long_ping).status, ParseStatus::kViolation);
  auto max_ping = make_client_frame(Opcode::kPing, std::string(125, 'p'));
  EXPECT_EQ(parse(max_ping).status, ParseStatus::kFrame);
}

TEST(FrameParser, RejectsA64BitLengthWithTheTopBitSet) {
  std::string bytes("\x82\xFF\x80\x00\x00\x00\x00\x00\x00\x01mask", 14);
  EXPECT_EQ(parse(bytes).status, ParseStatus::kViolation);
  EXPECT_EQ(parse(bytes).violation, CloseCode::kProtocolError);
}

TEST(FrameParser, RejectsAnOversizedFrameFromItsHeaderAlone) {
  // Only the header has arrived: the limit is enforced before any buffering.
  std::string header("\x82\xFF\x00\x00\x00\x01\x00\x00\x00\x00", 10);
  const auto r = parse(header, 1 << 20);
  EXPECT_EQ(r.status, ParseStatus::kViolation);
  EXPECT_EQ(r.violation, CloseCode::kMessageTooBig);
}

TEST(FrameParser, AcceptsExactlyTheLimit) {
  auto bytes = make_client_frame(Opcode::kBinary, std::string(1000, 'z'));
  EXPECT_EQ(parse(bytes, 1000).status, ParseStatus::kFrame);
  auto over = make_client_frame(Opcode::kBinary, std::string(1001, 'z'));
  EXPECT_EQ(parse(over, 1000).violation, CloseCode::kMessageTooBig);
}

TEST(FrameParser, TheLimitIsForDataFramesOnly) {
  // Near the end of a fragmented message's allowance a ping still passes.
  auto ping = make_client_frame(Opcode::kPing, std::string(100, 'p'));
  EXPECT_EQ(parse(ping, 10).status, ParseStatus::kFrame);
  auto continuation = make_client_frame(Opcode::kContinuation, std::string(11, 'c'));
  const auto r = parse(continuation, 10);
  ASSERT_EQ(r.status, ParseStatus::kViolation);
  EXPECT_EQ(r.violation, CloseCode::kMessageTooBig);
}

TEST(FrameParser, MaskingRoundTripsAtEveryAlignment) {
  for (std::size_t size = 0; size < 40; ++size) {
    std::string data(size, '\0');
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(i * 7);
    std::string copy = data;
    apply_mask(std::span<char>(copy.data(), copy.size()), 0xDEADBEEF);
    if (size > 0) {
      EXPECT_NE(copy, data);
    }
    apply_mask(std::span<char>(copy.data(), copy.size()), 0xDEADBEEF);
    EXPECT_EQ(copy, data);
  }
}

}  // namespace
}  // namespace rk::ws
