#include "protocol/server_message_v2.h"

#include <gtest/gtest.h>

#include <vector>

#include "ws/frame_writer.h"

namespace rk::protocol::v2 {
namespace {

std::string text(const FramePtr& frame) { return std::string(ws::server_frame_payload(*frame)); }

TEST(ServerMessageV2, FramesPublicationsWithTheirExactRawValues) {
  EXPECT_EQ(text(publication_frame({PublicationType::kLocation, "m1", R"("ana")", "52.520", "-13.4e0", 7, 1700})),
            R"({"type":"Location Data","from":"m1","person":"ana","latitude":52.520,"longitude":-13.4e0,)"
            R"("offset":7,"at":1700})");
  EXPECT_EQ(text(publication_frame({PublicationType::kState, "m2", R"("b\"en")", R"({"x":[1]})", {}, 1, 2})),
            R"({"type":"state","from":"m2","person":"b\"en","data":{"x":[1]},"offset":1,"at":2})");
}

TEST(ServerMessageV2, JoinedSplicesPublicationsAndAddsResumeFieldsOnlyWhenAsked) {
  const std::vector<MemberView> members{{"m1", R"("ana")"}, {"m2", R"("ben")"}};
  const std::string kept = text(publication_frame({PublicationType::kMessage, "m1", R"("ana")", "1", {}, 1, 5}));
  const std::vector<std::string_view> state{kept};
  Joined joined{"KEY", false, true, members[1], members, "EP", 1, state, false, false, {}};
  const std::string plain = text(joined_frame(joined));
  EXPECT_EQ(plain,
            R"({"type":"joined","v":2,"join":"KEY","created":false,"owner":true,"you":{"id":"m2","person":"ben"},)"
            R"("members":[{"id":"m1","person":"ana"},{"id":"m2","person":"ben"}],"epoch":"EP","offset":1,)"
            R"("state":[{"type":"message","from":"m1","person":"ana","data":1,"offset":1,"at":5}]})");
  joined.resumed = true;
  joined.recovered = false;
  EXPECT_NE(text(joined_frame(joined)).find(R"("recovered":false,"missed":[]})"), std::string::npos);
}

TEST(ServerMessageV2, PresenceAckErrorAndDestroyed) {
  EXPECT_EQ(text(presence_leave_frame({"m1", R"("ana")"}, "timeout")),
            R"({"type":"presence","event":"leave","member":{"id":"m1","person":"ana"},"reason":"timeout"})");
  EXPECT_EQ(text(ack_frame(R"("a")", 9)), R"({"type":"ack","id":"a","offset":9})");
  EXPECT_EQ(text(error_frame("not_found", "Join key not found.")),
            R"({"type":"error","code":"not_found","message":"Join key not found."})");
  EXPECT_EQ(text(error_frame("invalid_id", "Bad.", "12")),
            R"({"type":"error","code":"invalid_id","message":"Bad.","id":12})");
  EXPECT_EQ(text(destroyed_frame("K")), R"({"type":"destroyed","join":"K"})");
  EXPECT_EQ(text(refreshed_frame(1800000000)), R"({"type":"refreshed","exp":1800000000})");
}

TEST(ServerMessageV2, HistoryAndResetSayWhereTheSequenceStands) {
  const std::vector<std::string_view> publications = {R"({"type":"message","data":1})"};
  EXPECT_EQ(text(history_frame("E1", 7, publications)),
            R"({"type":"history","epoch":"E1","offset":7,"publications":[{"type":"message","data":1}]})");
  EXPECT_EQ(text(reset_frame("E2", 0, {})), R"({"type":"reset","epoch":"E2","offset":0,"state":[]})");
  EXPECT_EQ(text(reset_frame("E3", 12, publications)),
            R"({"type":"reset","epoch":"E3","offset":12,"state":[{"type":"message","data":1}]})");
}

TEST(ServerMessageV2, LongFramesKeepTheirPayloadWhole) {
  const std::string big(70000, 'x');
  const auto frame = publication_frame({PublicationType::kMessage, "m", R"("p")", "\"" + big + "\"", {}, 1, 1});
  EXPECT_NE(text(frame).find(big), std::string::npos);
  EXPECT_EQ(text(frame).back(), '}');
}

}  // namespace
}  // namespace rk::protocol::v2
