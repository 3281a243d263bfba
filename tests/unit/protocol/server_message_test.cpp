#include "protocol/server_message.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "protocol/json_text.h"
#include "ws/frame_parser.h"

namespace rk::protocol {
namespace {

std::string payload(const FramePtr& frame) {
  std::string copy(frame->view());
  const auto r = ws::parse_frame(std::span<char>(copy.data(), copy.size()), {1u << 30, false});
  EXPECT_EQ(r.status, ws::ParseStatus::kFrame);
  EXPECT_EQ(r.frame.opcode, ws::Opcode::kText);
  return {r.frame.payload.data(), r.frame.payload.size()};
}

TEST(ServerMessage, BuildsLocationDataWithTheSendersName) {
  EXPECT_EQ(payload(location_frame(json_string("ana"), "1.5", "-2")),
            R"({"type":"Location Data","person":"ana","latitude":1.5,"longitude":-2})");
}

TEST(ServerMessage, BuildsRelay) {
  EXPECT_EQ(payload(relay_frame(json_string("b"), R"({"x":[1]})")),
            R"({"type":"message","person":"b","data":{"x":[1]}})");
}

TEST(ServerMessage, BuildsRepliesAndNotices) {
  EXPECT_EQ(payload(init_reply_frame("KEY")), R"({"type":"init","join":"KEY"})");
  EXPECT_EQ(payload(connection_message_frame("P Joined!")), R"({"type":"connection_message","message":"P Joined!"})");
  EXPECT_EQ(payload(error_frame("Join Key Not Found!")), R"({"type":"error","message":"Join Key Not Found!"})");
}

TEST(JsonText, EscapesWhatJsonRequires) {
  EXPECT_EQ(json_string("a\"b\\c\n\x01\x1f\xC3\xA9"), R"("a\"b\\c\n\u0001\u001f)"
                                                         "\xC3\xA9\"");
}

TEST(JsonText, RoundTripsThroughAJsonParser) {
  std::string nasty;
  for (int c = 1; c < 128; ++c) nasty.push_back(static_cast<char>(c));
  nasty += "\xE2\x82\xAC";
  simdjson::dom::parser parser;
  std::string_view decoded;
  ASSERT_FALSE(parser.parse(json_string(nasty)).get_string().get(decoded));
  EXPECT_EQ(decoded, nasty);
}

}  // namespace
}  // namespace rk::protocol
