#include "protocol/client_message.h"

#include <gtest/gtest.h>

namespace rk::protocol {
namespace {

template <typename T>
T expect(ClientMessageParser& parser, std::string_view text) {
  auto message = parser.parse(text);
  EXPECT_TRUE(std::holds_alternative<T>(message)) << text << " gave variant #" << message.index();
  return std::holds_alternative<T>(message) ? std::get<T>(message) : T{};
}

TEST(ClientMessage, ReadsACreatingInit) {
  ClientMessageParser p;
  const auto init = expect<InitCommand>(p, R"({"type":"init","person":"ana"})");
  EXPECT_EQ(init.person, "ana");
  EXPECT_FALSE(init.join.has_value());
}

TEST(ClientMessage, ReadsAJoiningInitWithEscapes) {
  ClientMessageParser p;
  const auto init = expect<InitCommand>(p, R"( {"join":"K1","person":"a\"b\u00e9","type":"init"} )");
  EXPECT_EQ(init.person, "a\"b\xC3\xA9");
  EXPECT_EQ(init.join.value(), "K1");
}

TEST(ClientMessage, AnInitMayCarryATokenAndThenLeaveOutThePerson) {
  ClientMessageParser p;
  const auto init = expect<InitCommand>(p, R"({"type":"init","token":"a.b.c"})");
  EXPECT_EQ(init.token, "a.b.c");
  EXPECT_FALSE(init.has_person);  // the handler refuses it unless token auth names the person
  EXPECT_TRUE(expect<InitCommand>(p, R"({"type":"init","person":"ana"})").has_person);
  EXPECT_EQ(expect<InvalidCommand>(p, R"({"type":"init","person":"a","token":7})").error,
            "Invalid init: \"token\" must be a string.");
}

TEST(ClientMessage, RejectsBadInits) {
  ClientMessageParser p;
  for (auto text : {R"({"type":"init","person":7})", R"({"type":"init","person":null})",
                    R"({"type":"init","person":"a","join":5})", R"({"type":"init","person":"a","join":null})"}) {
    expect<InvalidCommand>(p, text);
  }
}

TEST(ClientMessage, KeepsLocationNumbersExactlyAsSent) {
  ClientMessageParser p;
  const auto loc = expect<LocationCommand>(
      p, R"({"type":"Location Data","person":"x","latitude":37.774912345678901234, "longitude" : -1.5e-3 })");
  EXPECT_EQ(loc.latitude, "37.774912345678901234");
  EXPECT_EQ(loc.longitude, "-1.5e-3");
}

TEST(ClientMessage, RejectsLocationWithoutNumbers) {
  ClientMessageParser p;
  for (auto text : {R"({"type":"Location Data","latitude":1})", R"({"type":"Location Data","longitude":1})",
                    R"({"type":"Location Data","latitude":"1","longitude":2})",
                    R"({"type":"Location Data","latitude":1,"longitude":null})",
                    R"({"type":"Location Data","latitude":[1],"longitude":2})"}) {
    expect<InvalidCommand>(p, text);
  }
}

TEST(ClientMessage, KeepsRelayedDataAsSent) {
  ClientMessageParser p;
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":{"a":[1,2,{"b":null}],"c":"\n"}})").data,
            R"({"a":[1,2,{"b":null}],"c":"\n"})");
  EXPECT_EQ(expect<RelayCommand>(p, R"({"data":[1, 2],"type":"message"})").data, "[1, 2]");
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":"hi \"there\""})").data, R"("hi \"there\"")");
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":null})").data, "null");
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":false})").data, "false");
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":-0.5})").data, "-0.5");
  expect<InvalidCommand>(p, R"({"type":"message"})");
}

TEST(ClientMessage, ReadsDestroy) {
  ClientMessageParser p;
  EXPECT_EQ(expect<DestroyCommand>(p, R"({"type":"destroy","join":"K"})").join, "K");
  expect<InvalidCommand>(p, R"({"type":"destroy"})");
  expect<InvalidCommand>(p, R"({"type":"destroy","join":1})");
}

TEST(ClientMessage, PassesUnknownTypesThrough) {
  ClientMessageParser p;
  EXPECT_EQ(expect<UnknownCommand>(p, R"({"type":"typing"})").type, "typing");
}

TEST(ClientMessage, RejectsEveryKindOfMalformedInput) {
  ClientMessageParser p;
  for (auto text : {"", " ", "{", "}", "{\"type\":\"init\"", "[1,2]", "\"init\"", "42", "null", "{\"type\":init}",
                    "{'type':'init'}", R"({"type":"message","data":[1,,2]})", R"({"type":"init","person":"a"} x)",
                    R"({"type":"init","person":"a"}{})", R"({"type":1})", R"({"type":null})", R"({})",
                    R"({"type":"message","data":01})", R"({"type":"message","data":NaN})"}) {
    expect<InvalidCommand>(p, text);
  }
}

TEST(ClientMessage, ValidatesFieldsItDoesNotUse) {
  ClientMessageParser p;
  for (auto text : {R"({"type":"typing","extra":[1,,2]})", R"({"type":"message","data":{"a":[1,}},"x":1})",
                    R"({"type":"Location Data","latitude":1,"longitude":2,"z":tru})",
                    R"({"type":"init","person":"a","note":"bad \q escape"})", R"({"type":"message","data":[1,2})"}) {
    expect<InvalidCommand>(p, text);
  }
}

TEST(ClientMessage, TellsNonObjectsFromMalformedJson) {
  ClientMessageParser p;
  EXPECT_EQ(expect<InvalidCommand>(p, "[1,2]").error, "Invalid message: expected a JSON object.");
  EXPECT_EQ(expect<InvalidCommand>(p, "[1,2").error, "Invalid JSON: each message must be one JSON object.");
}

TEST(ClientMessage, KeepsTheFirstOfRepeatedFields) {
  ClientMessageParser p;
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","person":"first","person":"second"})").person, "first");
}

TEST(ClientMessage, ReusesItsBuffersAcrossSizes) {
  ClientMessageParser p;
  std::string big = R"({"type":"message","data":")" + std::string(100000, 'x') + R"("})";
  EXPECT_EQ(expect<RelayCommand>(p, big).data.size(), 100002u);
  EXPECT_EQ(expect<RelayCommand>(p, R"({"type":"message","data":1})").data, "1");
}

}  // namespace
}  // namespace rk::protocol
