#include "protocol/client_message_v2.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace rk::protocol::v2 {
namespace {

template <typename T>
T expect(ClientMessageParserV2& parser, std::string_view text) {
  auto message = parser.parse(text);
  EXPECT_TRUE(std::holds_alternative<T>(message)) << text << " gave variant #" << message.index();
  return std::holds_alternative<T>(message) ? std::get<T>(message) : T{};
}

// An invalid message's code, checking that its text is a sentence.
std::string_view code_of(ClientMessageParserV2& parser, std::string_view text) {
  const auto invalid = expect<InvalidCommand>(parser, text);
  EXPECT_FALSE(invalid.message.empty()) << text;
  EXPECT_TRUE(invalid.message.empty() || invalid.message.back() == '.') << text;
  return invalid.code;
}

PublishCommand publish(ClientMessageParserV2& parser, std::string_view text, PublishKind kind) {
  const auto command = expect<PublishCommand>(parser, text);
  EXPECT_EQ(command.kind, kind) << text;
  return command;
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// ---- init

TEST(ClientMessageV2, ReadsACreatingInit) {
  ClientMessageParserV2 p;
  const auto init = expect<InitCommand>(p, R"({"type":"init","v":2,"person":"ana"})");
  EXPECT_EQ(init.person, "ana");
  EXPECT_FALSE(init.join.has_value());
  EXPECT_FALSE(init.since.has_value());
}

TEST(ClientMessageV2, ReadsAJoiningInitWithEscapesInAnyOrder) {
  ClientMessageParserV2 p;
  const auto init = expect<InitCommand>(p, R"( {"join":"K1","person":"a\"b\u00e9","v":2,"type":"init"} )");
  EXPECT_EQ(init.person, "a\"b\xC3\xA9");
  EXPECT_EQ(init.join.value(), "K1");
  // Keys are compared unescaped.
  EXPECT_EQ(expect<InitCommand>(p, R"({"typ\u0065":"init","\u0076":2,"p\u0065rson":"b"})").person, "b");
}

TEST(ClientMessageV2, KeepsUnicodePersonNames) {
  ClientMessageParserV2 p;
  EXPECT_EQ(
      expect<InitCommand>(p, "{\"type\":\"init\",\"v\":2,\"person\":\"Zo\xC3\xAB \xE6\x9D\xB1\xE4\xBA\xAC\"}").person,
      "Zo\xC3\xAB \xE6\x9D\xB1\xE4\xBA\xAC");
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","v":2,"person":"\ud83d\ude80 rocket"})").person,
            "\xF0\x9F\x9A\x80 rocket");
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","v":2,"person":""})").person, "");
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","v":2,"person":"a\u0000b"})").person, std::string("a\0b", 3));
  // Not UTF-8 at all: not JSON.
  EXPECT_EQ(code_of(p, "{\"type\":\"init\",\"v\":2,\"person\":\"\xFF\"}"), codes::kInvalidJson);
}

TEST(ClientMessageV2, ReadsAResumingInit) {
  ClientMessageParserV2 p;
  auto init = expect<InitCommand>(
      p, R"({"type":"init","v":2,"person":"ana","join":"K","since":{"epoch":"e-1","offset":41,"extra":[1]}})");
  ASSERT_TRUE(init.since.has_value());
  EXPECT_EQ(init.since->epoch, "e-1");
  EXPECT_EQ(init.since->offset, 41u);
  init = expect<InitCommand>(p, R"({"type":"init","v":2,"person":"a","join":"K","since":{"offset":0,"epoch":""}})");
  EXPECT_EQ(init.since->epoch, "");
  EXPECT_EQ(init.since->offset, 0u);
  init = expect<InitCommand>(
      p, R"({"type":"init","v":2,"person":"a","join":"K","since":{"epoch":"e","offset":18446744073709551615}})");
  EXPECT_EQ(init.since->offset, 18446744073709551615u);
  init = expect<InitCommand>(p, R"({"type":"init","v":2,"person":"a","join":"K","since":{"epoch":"e","offset":-0}})");
  EXPECT_EQ(init.since->offset, 0u);
}

TEST(ClientMessageV2, ResumesOnlyAJoin) {
  ClientMessageParserV2 p;
  const auto invalid =
      expect<InvalidCommand>(p, R"({"type":"init","v":2,"person":"a","since":{"epoch":"e","offset":1}})");
  EXPECT_EQ(invalid.code, codes::kInvalidInit);
  EXPECT_EQ(invalid.message, "Invalid init: \"since\" resumes a room, so it needs \"join\".");
}

TEST(ClientMessageV2, RequiresVersion2) {
  ClientMessageParserV2 p;
  for (auto text : {R"({"type":"init","person":"a"})", R"({"type":"init","v":1,"person":"a"})",
                    R"({"type":"init","v":3,"person":"a"})", R"({"type":"init","v":-2,"person":"a"})",
                    R"({"type":"init","v":2.0,"person":"a"})", R"({"type":"init","v":2e0,"person":"a"})",
                    R"({"type":"init","v":2.5,"person":"a"})"}) {
    EXPECT_EQ(code_of(p, text), codes::kInvalidInit) << text;
  }
  EXPECT_EQ(expect<InvalidCommand>(p, R"({"type":"init","v":1,"person":"a"})").message,
            "Invalid init: \"v\" must be 2 for protocol v2.");
  for (auto text : {R"({"type":"init","v":"2","person":"a"})", R"({"type":"init","v":null,"person":"a"})",
                    R"({"type":"init","v":[2],"person":"a"})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"v\" must be the number 2.");
  }
}

TEST(ClientMessageV2, ReadsTheTokenOfAnInitAndOfARefresh) {
  ClientMessageParserV2 p;
  // With a token "person" may be left out (the token names the member); the
  // handler refuses an init without either.
  auto init = expect<InitCommand>(p, R"({"type":"init","v":2,"token":"a.b.c","join":"K"})");
  EXPECT_EQ(init.token, "a.b.c");
  EXPECT_FALSE(init.has_person);
  init = expect<InitCommand>(p, R"({"type":"init","v":2,"person":"ana"})");
  EXPECT_TRUE(init.has_person);
  EXPECT_FALSE(init.token);
  EXPECT_EQ(expect<RefreshCommand>(p, R"({"type":"refresh","token":"x.y.z"})").token, "x.y.z");
  auto invalid = expect<InvalidCommand>(p, R"({"type":"refresh"})");
  EXPECT_EQ(invalid.code, codes::kInvalidRefresh);
  EXPECT_EQ(invalid.message, "Invalid refresh: \"token\" is required.");
  for (auto text : {R"({"type":"refresh","token":5})", R"({"type":"init","v":2,"person":"a","token":null})"}) {
    invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"token\" must be a string.");
  }
}

TEST(ClientMessageV2, RejectsBadInitFields) {
  ClientMessageParserV2 p;
  InvalidCommand invalid;
  for (auto text : {R"({"type":"init","v":2,"person":7})", R"({"type":"init","v":2,"person":null})",
                    R"({"type":"init","v":2,"person":["a"]})"}) {
    invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"person\" must be a string.");
  }
  for (auto text :
       {R"({"type":"init","v":2,"person":"a","join":5})", R"({"type":"init","v":2,"person":"a","join":null})"}) {
    invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"join\" must be a string.");
  }
}

TEST(ClientMessageV2, RejectsBadSinceInInit) {
  ClientMessageParserV2 p;
  const std::string head = R"({"type":"init","v":2,"person":"a","join":"K","since":)";
  struct Case {
    std::string since;
    std::string_view code, message;
  };
  const Case cases[] = {
      {"5", codes::kInvalidMessage,
       "Invalid message: \"since\" must be an object with a string \"epoch\" and an integer \"offset\"."},
      {R"("e")", codes::kInvalidMessage,
       "Invalid message: \"since\" must be an object with a string \"epoch\" and an integer \"offset\"."},
      {"null", codes::kInvalidMessage,
       "Invalid message: \"since\" must be an object with a string \"epoch\" and an integer \"offset\"."},
      {R"({"offset":1})", codes::kInvalidInit, "Invalid init: \"since.epoch\" is required."},
      {R"({"epoch":"e"})", codes::kInvalidInit, "Invalid init: \"since.offset\" is required."},
      {R"({"epoch":1,"offset":1})", codes::kInvalidMessage, "Invalid message: \"since.epoch\" must be a string."},
      {R"({"epoch":"e","offset":"1"})", codes::kInvalidMessage,
       "Invalid message: \"since.offset\" must be a non-negative integer."},
      {R"({"epoch":"e","offset":-1})", codes::kInvalidInit,
       "Invalid init: \"since.offset\" must be a non-negative integer."},
      {R"({"epoch":"e","offset":1.5})", codes::kInvalidInit,
       "Invalid init: \"since.offset\" must be a non-negative integer."},
      {R"({"epoch":"e","offset":1e3})", codes::kInvalidInit,
       "Invalid init: \"since.offset\" must be a non-negative integer."},
      {R"({"epoch":"e","offset":18446744073709551616})", codes::kInvalidJson,
       "Invalid JSON: each message must be one JSON object."},
  };
  for (const auto& c : cases) {
    const auto invalid = expect<InvalidCommand>(p, head + c.since + "}");
    EXPECT_EQ(invalid.code, c.code) << c.since;
    EXPECT_EQ(invalid.message, c.message) << c.since;
    EXPECT_TRUE(invalid.id.empty());
  }
}

// ---- Location Data

TEST(ClientMessageV2, KeepsLocationNumbersExactlyAsSent) {
  ClientMessageParserV2 p;
  const auto loc =
      publish(p, R"({"type":"Location Data","person":"x","latitude":37.774912345678901234, "longitude" : -1.5e-3 })",
              PublishKind::kLocation);
  EXPECT_EQ(loc.latitude, "37.774912345678901234");
  EXPECT_EQ(loc.longitude, "-1.5e-3");
  EXPECT_TRUE(loc.data.empty());
  EXPECT_TRUE(loc.id.empty());
  EXPECT_TRUE(inside(loc.latitude, p.last_input()));
  EXPECT_TRUE(inside(loc.longitude, p.last_input()));
}

TEST(ClientMessageV2, AcceptsTheBoundsOfLatitudeAndLongitude) {
  ClientMessageParserV2 p;
  for (auto [lat, lon] : {std::pair{"90", "180"},
                          {"-90", "-180"},
                          {"-0", "0.0"},
                          {"9e1", "-1.8E2"},
                          {"1e-400", "-1e-400"},
                          {"89.99999999999999999999", "179.9999999999999999999"}}) {
    const std::string text =
        std::string(R"({"type":"Location Data","latitude":)") + lat + R"(,"longitude":)" + lon + "}";
    const auto loc = publish(p, text, PublishKind::kLocation);
    EXPECT_EQ(loc.latitude, lat);
    EXPECT_EQ(loc.longitude, lon);
  }
}

TEST(ClientMessageV2, RejectsLocationsOutOfRange) {
  ClientMessageParserV2 p;
  for (auto [lat, lon, message] :
       {std::tuple{"90.0001", "0", "Invalid Location Data: \"latitude\" must be from -90 to 90."},
        {"-91", "0", "Invalid Location Data: \"latitude\" must be from -90 to 90."},
        {"18446744073709551615", "0", "Invalid Location Data: \"latitude\" must be from -90 to 90."},
        {"-9223372036854775808", "0", "Invalid Location Data: \"latitude\" must be from -90 to 90."},
        {"1e308", "0", "Invalid Location Data: \"latitude\" must be from -90 to 90."},
        {"0", "180.5", "Invalid Location Data: \"longitude\" must be from -180 to 180."},
        {"0", "-1e3", "Invalid Location Data: \"longitude\" must be from -180 to 180."}}) {
    const std::string text =
        std::string(R"({"type":"Location Data","latitude":)") + lat + R"(,"longitude":)" + lon + "}";
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidLocation) << text;
    EXPECT_EQ(invalid.message, message) << text;
  }
}

// Found by the fuzzer: simdjson 3.0.1's on-demand get_number() reads a decimal
// of more than 19 digits as 0 (which let the first one through), and its
// get_double() rejects exponents of more than 19 digits that are valid JSON.
TEST(ClientMessageV2, ChecksTheRangeOfLongDecimals) {
  ClientMessageParserV2 p;
  EXPECT_EQ(code_of(p, R"({"type":"Location Data","latitude":347977.12345678901234,"longitude":0})"),
            codes::kInvalidLocation);
  EXPECT_EQ(code_of(p, R"({"type":"Location Data","latitude":0,"longitude":-180.00000000000000000001e1})"),
            codes::kInvalidLocation);
  EXPECT_EQ(code_of(p, R"({"type":"Location Data","latitude":1e000000000000000000000002,"longitude":0})"),
            codes::kInvalidLocation);
  EXPECT_EQ(code_of(p, R"({"type":"Location Data","l\u0061titude":100,"longitude":0})"), codes::kInvalidLocation);
  EXPECT_EQ(code_of(p, R"({"type":"history","since":1.2345678901234567890123})"), codes::kInvalidHistory);
  EXPECT_EQ(code_of(p, R"({"type":"history","limit":1e-00000000000000000000000})"), codes::kInvalidHistory);
  auto loc = publish(p, R"({"type":"Location Data","latitude":-89.999999999999999999999,"longitude":1})",
                     PublishKind::kLocation);
  EXPECT_EQ(loc.latitude, "-89.999999999999999999999");
  loc = publish(p,
                R"({"type":"Location Data","latitude":7e-99999999999999999999,"longitude":1e-00000000000000000000002})",
                PublishKind::kLocation);
  EXPECT_EQ(loc.latitude, "7e-99999999999999999999");
  EXPECT_EQ(loc.longitude, "1e-00000000000000000000002");
  EXPECT_EQ(expect<UnknownCommand>(p, R"({"type":"L*ata","latitude":749681e-57777777777777777777777777777})").type,
            "L*ata");
  EXPECT_EQ(publish(p, R"({"type":"state","data":[1e-99999999999999999999]})", PublishKind::kState).data,
            "[1e-99999999999999999999]");
}

TEST(ClientMessageV2, RejectsLocationsWithoutNumbers) {
  ClientMessageParserV2 p;
  EXPECT_EQ(expect<InvalidCommand>(p, R"({"type":"Location Data","longitude":1})").message,
            "Invalid Location Data: \"latitude\" is required.");
  EXPECT_EQ(expect<InvalidCommand>(p, R"({"type":"Location Data","latitude":1})").message,
            "Invalid Location Data: \"longitude\" is required.");
  EXPECT_EQ(code_of(p, R"({"type":"Location Data"})"), codes::kInvalidLocation);
  for (auto text :
       {R"({"type":"Location Data","latitude":"1","longitude":2})",
        R"({"type":"Location Data","latitude":[1],"longitude":2})", R"({"type":"Location Data","latitude":null})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"latitude\" must be a number.");
  }
  const auto invalid = expect<InvalidCommand>(p, R"({"type":"Location Data","latitude":1,"longitude":true})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.message, "Invalid message: \"longitude\" must be a number.");
}

// ---- message and state

TEST(ClientMessageV2, KeepsPublishedDataAsSent) {
  ClientMessageParserV2 p;
  for (auto kind : {PublishKind::kMessage, PublishKind::kState}) {
    const std::string head =
        kind == PublishKind::kMessage ? R"({"type":"message","data":)" : R"({"type":"state","data":)";
    for (std::string_view data : {R"({"a":[1,2,{"b":null}],"c":"\n"})", "[1, 2]", R"("hi \"there\"")", "null", "false",
                                  "-0.5", "{}", "[]", R"("")", "1e-400", "18446744073709551615"}) {
      const auto command = publish(p, head + std::string(data) + " }", kind);
      EXPECT_EQ(command.data, data);
      EXPECT_TRUE(command.latitude.empty() && command.longitude.empty() && command.id.empty());
      EXPECT_TRUE(inside(command.data, p.last_input()));
    }
  }
  EXPECT_EQ(publish(p, R"({"data":[1, 2],"type":"message"})", PublishKind::kMessage).data, "[1, 2]");
  EXPECT_EQ(publish(p, "{\"data\":\n\t[ 1 ]\r\n\t,\"type\":\"state\"}", PublishKind::kState).data, "[ 1 ]");
  EXPECT_EQ(publish(p, "{\"type\":\"message\",\"data\": true \n}\n", PublishKind::kMessage).data, "true");
}

TEST(ClientMessageV2, KeepsNestedDataWhole) {
  ClientMessageParserV2 p;
  std::string nested;
  for (int i = 0; i < 200; ++i) nested += R"({"k":[)";
  nested += "1";
  for (int i = 0; i < 200; ++i) nested += "]}";
  EXPECT_EQ(publish(p, R"({"type":"state","data":)" + nested + "}", PublishKind::kState).data, nested);
  // Deeper than simdjson's limit (1024): rejected, not crashed.
  std::string deep(3000, '[');
  deep += std::string(3000, ']');
  EXPECT_EQ(code_of(p, R"({"type":"message","data":)" + deep + "}"), codes::kInvalidJson);
}

TEST(ClientMessageV2, RequiresData) {
  ClientMessageParserV2 p;
  auto invalid = expect<InvalidCommand>(p, R"({"type":"message"})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.message, "Invalid message: \"data\" is required.");
  invalid = expect<InvalidCommand>(p, R"({"type":"state","Data":1})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.message, "Invalid state: \"data\" is required.");
}

// ---- id

TEST(ClientMessageV2, KeepsIdsAsSent) {
  ClientMessageParserV2 p;
  const std::string id64(64, 'x');
  for (std::string_view id : {R"("a")", R"("a\"b")", R"("")", "0", "-5", "-0", "18446744073709551615",
                              "-9223372036854775808", R"("\u00e9\u00e9")"}) {
    auto command = publish(p, R"({"type":"message","data":1,"id":)" + std::string(id) + "}", PublishKind::kMessage);
    EXPECT_EQ(command.id, id);
    EXPECT_TRUE(inside(command.id, p.last_input()));
    command = publish(p, R"({"id": )" + std::string(id) + R"( ,"type":"state","data":1})", PublishKind::kState);
    EXPECT_EQ(command.id, id);
    command = publish(p, R"({"type":"Location Data","latitude":1,"longitude":2,"id":)" + std::string(id) + "}",
                      PublishKind::kLocation);
    EXPECT_EQ(command.id, id);
  }
}

TEST(ClientMessageV2, LimitsStringIdsTo64BytesOfText) {
  ClientMessageParserV2 p;
  const std::string ok = '"' + std::string(64, 'x') + '"';
  EXPECT_EQ(publish(p, R"({"type":"message","data":1,"id":)" + ok + "}", PublishKind::kMessage).id, ok);
  // 32 escaped e-acutes: 192 characters sent, 64 bytes of text.
  std::string escaped = "\"";
  for (int i = 0; i < 32; ++i) escaped += "\\u00e9";
  escaped += '"';
  EXPECT_EQ(publish(p, R"({"type":"message","data":1,"id":)" + escaped + "}", PublishKind::kMessage).id, escaped);
  const std::string too_long = '"' + std::string(65, 'x') + '"';
  EXPECT_EQ(code_of(p, R"({"type":"message","data":1,"id":)" + too_long + "}"), codes::kInvalidId);
  EXPECT_EQ(code_of(p, R"({"type":"message","data":1,"id":")" + escaped.substr(1, escaped.size() - 2) + R"(x"})"),
            codes::kInvalidId);
}

TEST(ClientMessageV2, RejectsIdsThatAreNotStringsOrIntegers) {
  ClientMessageParserV2 p;
  for (std::string_view id : {"1.5", "1e2", "1.0", "-0.0", "null", "true", "{}", R"({"a":1})", "[1]"}) {
    for (std::string head : {R"({"type":"message","data":1,"id":)", R"({"type":"state","data":1,"id":)",
                             R"({"type":"Location Data","latitude":1,"longitude":2,"id":)"}) {
      const auto invalid = expect<InvalidCommand>(p, head + std::string(id) + "}");
      EXPECT_EQ(invalid.code, codes::kInvalidId) << id;
      EXPECT_EQ(invalid.message, "Invalid id: \"id\" must be a string of at most 64 bytes or an integer.");
      EXPECT_TRUE(invalid.id.empty());
    }
  }
  // Checked before the rest: an invalid id wins over a missing "data".
  EXPECT_EQ(code_of(p, R"({"type":"message","id":1.5})"), codes::kInvalidId);
}

TEST(ClientMessageV2, NamesAValidIdInErrors) {
  ClientMessageParserV2 p;
  auto invalid = expect<InvalidCommand>(p, R"({"type":"Location Data","latitude":91,"longitude":0,"id":"m-1"})");
  EXPECT_EQ(invalid.code, codes::kInvalidLocation);
  EXPECT_EQ(invalid.id, R"("m-1")");
  EXPECT_TRUE(inside(invalid.id, p.last_input()));
  invalid = expect<InvalidCommand>(p, R"({"type":"message","id":7})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.id, "7");
  invalid = expect<InvalidCommand>(p, R"({"type":"Location Data","id":-3,"latitude":"x","longitude":0})");
  EXPECT_EQ(invalid.id, "-3");
}

TEST(ClientMessageV2, IgnoresIdsWhereTheyAreNotAllowed) {
  ClientMessageParserV2 p;
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","v":2,"person":"a","id":1.5})").person, "a");
  expect<HistoryCommand>(p, R"({"type":"history","id":{}})");
  expect<PresenceCommand>(p, R"({"type":"presence","id":"x"})");
  EXPECT_EQ(expect<DestroyCommand>(p, R"({"type":"destroy","join":"K","id":null})").join, "K");
  // ...and errors there name none.
  EXPECT_TRUE(expect<InvalidCommand>(p, R"({"type":"history","id":"x","limit":0})").id.empty());
}

// ---- history, presence, destroy

TEST(ClientMessageV2, ReadsHistory) {
  ClientMessageParserV2 p;
  auto history = expect<HistoryCommand>(p, R"({"type":"history"})");
  EXPECT_FALSE(history.since.has_value());
  EXPECT_FALSE(history.limit.has_value());
  history = expect<HistoryCommand>(p, R"({"type":"history","since":0,"limit":1})");
  EXPECT_EQ(history.since, 0u);
  EXPECT_EQ(history.limit, 1u);
  history = expect<HistoryCommand>(p, R"({"limit":10000,"since":18446744073709551615,"type":"history"})");
  EXPECT_EQ(history.since, 18446744073709551615u);
  EXPECT_EQ(history.limit, 10000u);
}

TEST(ClientMessageV2, RejectsBadHistory) {
  ClientMessageParserV2 p;
  for (auto text :
       {R"({"type":"history","since":-1})", R"({"type":"history","since":1.5})", R"({"type":"history","since":1e2})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidHistory) << text;
    EXPECT_EQ(invalid.message, "Invalid history: \"since\" must be a non-negative integer.");
  }
  for (auto text : {R"({"type":"history","limit":0})", R"({"type":"history","limit":10001})",
                    R"({"type":"history","limit":-1})", R"({"type":"history","limit":2.5})",
                    R"({"type":"history","limit":18446744073709551615})", R"({"type":"history","limit":4294967297})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidHistory) << text;
    EXPECT_EQ(invalid.message, "Invalid history: \"limit\" must be an integer from 1 to 10000.");
  }
  for (auto text : {R"({"type":"history","since":"5"})", R"({"type":"history","since":{"epoch":"e","offset":1}})",
                    R"({"type":"history","since":null})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"since\" must be a non-negative integer.");
  }
  const auto invalid = expect<InvalidCommand>(p, R"({"type":"history","limit":"5"})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.message, "Invalid message: \"limit\" must be an integer from 1 to 10000.");
}

TEST(ClientMessageV2, ReadsPresence) {
  ClientMessageParserV2 p;
  expect<PresenceCommand>(p, R"({"type":"presence"})");
  expect<PresenceCommand>(p, R"({"type":"presence","members":[1,2],"since":"x"})");
}

TEST(ClientMessageV2, ReadsDestroy) {
  ClientMessageParserV2 p;
  EXPECT_EQ(expect<DestroyCommand>(p, R"({"type":"destroy","join":"K"})").join, "K");
  auto invalid = expect<InvalidCommand>(p, R"({"type":"destroy"})");
  EXPECT_EQ(invalid.code, codes::kInvalidDestroy);
  EXPECT_EQ(invalid.message, "Invalid destroy: \"join\" is required.");
  invalid = expect<InvalidCommand>(p, R"({"type":"destroy","join":1})");
  EXPECT_EQ(invalid.code, codes::kInvalidMessage);
  EXPECT_EQ(invalid.message, "Invalid message: \"join\" must be a string.");
}

// ---- everything else

TEST(ClientMessageV2, PassesUnknownTypesThrough) {
  ClientMessageParserV2 p;
  for (std::string_view type : {"typing", "ack", "joined", "error", "", "Init", "location data", "STATE"}) {
    EXPECT_EQ(expect<UnknownCommand>(p, R"({"type":")" + std::string(type) + R"(","data":1})").type, type);
  }
  EXPECT_EQ(expect<UnknownCommand>(p, R"({"type":"t\u00e9"})").type, "t\xC3\xA9");
}

TEST(ClientMessageV2, RejectsEveryKindOfMalformedInput) {
  ClientMessageParserV2 p;
  for (auto text : {"", " ", "{", "}", "{\"type\":\"init\"", "{\"type\":init}", "{'type':'init'}",
                    R"({"type":"message","data":[1,,2]})", R"({"type":"presence"} x)", R"({"type":"presence"}{})",
                    R"({"type":"message","data":01})", R"({"type":"message","data":NaN})",
                    R"({"type":"message","data":1e400})", R"({"type":"message","data":123456789012345678901234567890})",
                    R"({"type":"Location Data","latitude":-9223372036854775809,"longitude":0})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidJson) << text;
    EXPECT_EQ(invalid.message, "Invalid JSON: each message must be one JSON object.");
  }
  for (auto text : {"[1,2]", "\"presence\"", "42", "null", "true"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: expected a JSON object.");
  }
  for (auto text : {R"({})", R"({"type":1})", R"({"type":null})", R"({"type":["init"]})", R"({"Type":"init"})"}) {
    const auto invalid = expect<InvalidCommand>(p, text);
    EXPECT_EQ(invalid.code, codes::kInvalidMessage) << text;
    EXPECT_EQ(invalid.message, "Invalid message: \"type\" must be a string.");
  }
}

TEST(ClientMessageV2, ReadsAnEmptyMessageAsInvalidJson) {
  ClientMessageParserV2 p;
  EXPECT_EQ(code_of(p, ""), codes::kInvalidJson);
  EXPECT_EQ(code_of(p, std::string_view{}), codes::kInvalidJson);
  EXPECT_TRUE(p.last_input().empty());
}

TEST(ClientMessageV2, ValidatesFieldsItDoesNotUse) {
  ClientMessageParserV2 p;
  for (auto text : {R"({"type":"typing","extra":[1,,2]})", R"({"type":"message","data":{"a":[1,}},"x":1})",
                    R"({"type":"Location Data","latitude":1,"longitude":2,"z":tru})",
                    R"({"type":"init","v":2,"person":"a","note":"bad \q escape"})",
                    R"({"type":"init","v":2,"person":"a","since":{"epoch":"e","offset":1,"x":[}})"}) {
    EXPECT_EQ(code_of(p, text), codes::kInvalidJson) << text;
  }
}

TEST(ClientMessageV2, KeepsTheFirstOfRepeatedFields) {
  ClientMessageParserV2 p;
  EXPECT_EQ(expect<InitCommand>(p, R"({"type":"init","v":2,"person":"first","person":"second"})").person, "first");
  expect<InitCommand>(p, R"({"type":"init","v":2,"v":1,"person":"a"})");
  EXPECT_EQ(code_of(p, R"({"type":"init","v":1,"v":2,"person":"a"})"), codes::kInvalidInit);
  expect<PresenceCommand>(p, R"({"type":"presence","type":"init"})");
  auto init = expect<InitCommand>(
      p,
      R"({"type":"init","v":2,"person":"a","join":"K","since":{"epoch":"e1","epoch":"e2","offset":1,"offset":-1},"since":5})");
  EXPECT_EQ(init.since->epoch, "e1");
  EXPECT_EQ(init.since->offset, 1u);
  auto loc = publish(p, R"({"type":"Location Data","latitude":1,"longitude":2,"latitude":"x","longitude":999})",
                     PublishKind::kLocation);
  EXPECT_EQ(loc.latitude, "1");
  EXPECT_EQ(loc.longitude, "2");
  EXPECT_EQ(publish(p, R"({"type":"message","data":[1],"data":2,"id":"a","id":1.5})", PublishKind::kMessage).id,
            R"("a")");
  EXPECT_EQ(code_of(p, R"({"type":"message","data":1,"id":1.5,"id":"a"})"), codes::kInvalidId);
  EXPECT_EQ(expect<HistoryCommand>(p, R"({"type":"history","limit":3,"limit":0})").limit, 3u);
}

TEST(ClientMessageV2, ReusesItsBuffersAcrossSizes) {
  ClientMessageParserV2 p;
  std::string big = R"({"type":"state","data":")" + std::string(100000, 'x') + R"("})";
  EXPECT_EQ(publish(p, big, PublishKind::kState).data.size(), 100002u);
  EXPECT_EQ(p.last_input(), big);
  EXPECT_EQ(publish(p, R"({"type":"message","data":1})", PublishKind::kMessage).data, "1");
  EXPECT_EQ(p.last_input(), R"({"type":"message","data":1})");
}

TEST(ClientMessageV2, ExportsDistinctSnakeCaseCodes) {
  const std::string_view all[] = {
      codes::kInvalidJson,      codes::kInvalidMessage, codes::kInvalidInit,       codes::kInvalidLocation,
      codes::kInvalidId,        codes::kInvalidHistory, codes::kInvalidDestroy,    codes::kNotFound,
      codes::kStoreUnavailable, codes::kRoomFull,       codes::kRoomLimit,         codes::kTooManyJoins,
      codes::kRateLimited,      codes::kNotYourRoom,    codes::kAlreadyInRoom,     codes::kBinaryNotSupported,
      codes::kInitTimeout,      codes::kInitRequired,   codes::kUnsupportedVersion};
  std::set<std::string_view> seen;
  for (auto code : all) {
    EXPECT_TRUE(seen.insert(code).second) << code;
    EXPECT_FALSE(code.empty());
    for (char c : code) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << code;
  }
  EXPECT_EQ(codes::kUnsupportedVersion, "unsupported_version");
  EXPECT_EQ(codes::kBinaryNotSupported, "binary_not_supported");
}

}  // namespace
}  // namespace rk::protocol::v2
