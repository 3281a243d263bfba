#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "logging/log_format.h"

namespace rk::logging {
namespace {

// Each line the default logger writes, as the JSON format makes it.
class JsonLines : public testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    configure(Format::kJson, spdlog::level::info);
  }
  void TearDown() override {
    configure(Format::kText, spdlog::level::info);
    spdlog::set_default_logger(previous_);
    spdlog::set_pattern("%+");
  }
  std::string text() const { return out_.str(); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(JsonLines, AnEventCarriesItsFieldsAsMembers) {
  log_event(spdlog::level::info, "connection closed",
            LogFields().number("conn", 7).text("client", "203.0.113.9").seconds("duration_s", 1.5));
  const std::string line = text();
  EXPECT_NE(line.find(R"("level":"info","msg":"connection closed","conn":7,"client":"203.0.113.9","duration_s":1.500})"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.back(), '\n');
}

TEST_F(JsonLines, AnOrdinaryLineIsOneEscapedString) {
  spdlog::info("a \"quote\", a \x1f mark and bad UTF-8 \xff\xfe and good \xc3\xa9");
  const std::string line = text();
  EXPECT_NE(line.find(R"("msg":"a \"quote\", a \u001f mark and bad UTF-8 \ufffd\ufffd and good )" "\xc3\xa9" R"("})"),
            std::string::npos)
      << line;
}

TEST_F(JsonLines, FieldValuesAreEscapedToo) {
  log_event(spdlog::level::warn, "x", LogFields().text("reason", "a\x1f" "b\n\"c\""));
  EXPECT_NE(text().find(R"("msg":"x","reason":"a\u001fb\n\"c\""})"), std::string::npos) << text();
}

TEST(TextFields, QuoteOnlyWhatNeedsIt) {
  configure(Format::kText, spdlog::level::info);
  EXPECT_EQ(LogFields().text("room", "abc123").number("code", 1000).encoded(), " room=abc123 code=1000");
  EXPECT_EQ(LogFields().text("reason", "room destroyed").encoded(), " reason=\"room destroyed\"");
}

}  // namespace
}  // namespace rk::logging
