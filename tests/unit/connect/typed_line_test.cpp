#include <gtest/gtest.h>

#include "connect/typed_line.h"

namespace rk::connect {
namespace {

TEST(TypedLine, PlainTextIsAMessageAndADoubleSlashEscapesACommand) {
  EXPECT_EQ(read_typed_line("hello there").kind, LineKind::kMessage);
  EXPECT_EQ(read_typed_line("hello there").text, "hello there");
  const TypedLine escaped = read_typed_line("//loc is a command");
  EXPECT_EQ(escaped.kind, LineKind::kMessage);
  EXPECT_EQ(escaped.text, "/loc is a command");
  EXPECT_EQ(read_typed_line("").kind, LineKind::kNothing);
  EXPECT_EQ(read_typed_line(" \t ").kind, LineKind::kNothing);
}

TEST(TypedLine, TextThatIsNotUtf8IsNeverSent) {
  const TypedLine line = read_typed_line("caf\xe9");
  EXPECT_EQ(line.kind, LineKind::kInvalid);
  EXPECT_NE(line.text.find("UTF-8"), std::string::npos);
}

TEST(TypedLine, LocTakesTwoJsonNumbersInRangeWithOrWithoutAComma) {
  for (const char* text : {"/loc 52.52 13.405", "/loc 52.52, 13.405", "/loc  52.52,13.405 "}) {
    const TypedLine line = read_typed_line(text);
    ASSERT_EQ(line.kind, LineKind::kLocation) << text;
    EXPECT_EQ(line.latitude, "52.52");
    EXPECT_EQ(line.longitude, "13.405");
  }
  EXPECT_EQ(read_typed_line("/loc -90 180").kind, LineKind::kLocation);
  EXPECT_EQ(read_typed_line("/loc 1e1 -0.5E+2").kind, LineKind::kLocation);
  for (const char* text : {"/loc", "/loc 1", "/loc 1 2 3", "/loc 90.1 0", "/loc 0 -180.5", "/loc nan 0", "/loc inf 0",
                           "/loc +1 0", "/loc .5 0", "/loc 1. 0", "/loc 01 0", "/loc 0x10 0", "/loc north 0"})
    EXPECT_EQ(read_typed_line(text).kind, LineKind::kInvalid) << text;
  EXPECT_NE(read_typed_line("/loc 91 0").text.find("latitude 91 is out of range"), std::string::npos);
}

TEST(TypedLine, StateAndRawTakeOneValidJsonValue) {
  const TypedLine state = read_typed_line(R"(/state {"battery": 0.4})");
  EXPECT_EQ(state.kind, LineKind::kState);
  EXPECT_EQ(state.text, R"({"battery": 0.4})");
  EXPECT_EQ(read_typed_line("/state 42").kind, LineKind::kState);
  EXPECT_EQ(read_typed_line(R"(/raw {"type":"presence"})").kind, LineKind::kRaw);
  for (const char* text : {"/state", "/state {", "/state {\"a\":}", "/state 1 2", "/raw nope"})
    EXPECT_EQ(read_typed_line(text).kind, LineKind::kInvalid) << text;
  EXPECT_NE(read_typed_line("/state {").text.find("needs valid JSON"), std::string::npos);
}

TEST(TypedLine, HistoryTakesAnOptionalLimitFrom1To10000) {
  EXPECT_EQ(read_typed_line("/history").kind, LineKind::kHistory);
  EXPECT_FALSE(read_typed_line("/history").limit);
  EXPECT_EQ(read_typed_line("/history 10000").limit, 10000);
  for (const char* text : {"/history 0", "/history 10001", "/history -1", "/history 2.5", "/history 3 4"})
    EXPECT_EQ(read_typed_line(text).kind, LineKind::kInvalid) << text;
}

TEST(TypedLine, BareCommandsTakeNoArgumentsAndUnknownOnesAreNamed) {
  EXPECT_EQ(read_typed_line("/presence").kind, LineKind::kPresence);
  EXPECT_EQ(read_typed_line("/destroy").kind, LineKind::kDestroy);
  EXPECT_EQ(read_typed_line("/help").kind, LineKind::kHelp);
  EXPECT_EQ(read_typed_line("/quit").kind, LineKind::kQuit);
  EXPECT_EQ(read_typed_line("/destroy KEY").kind, LineKind::kInvalid);
  const TypedLine unknown = read_typed_line("/locate 1 2");
  EXPECT_EQ(unknown.kind, LineKind::kInvalid);
  EXPECT_NE(unknown.text.find("unknown command /locate"), std::string::npos);
}

}  // namespace
}  // namespace rk::connect
