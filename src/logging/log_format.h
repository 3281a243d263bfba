#pragma once
// How log lines look (--log-format): spdlog's text lines, or one JSON object
// per line for log collectors ({"time","level","msg"} and, for events, their
// fields). Events (a connection opened, entered a room, closed) carry fields
// that both formats show: `key=value` in text, members in JSON.
#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace rk::logging {

enum class Format { kText, kJson };

// Once at startup, before any thread logs.
void configure(Format format, spdlog::level::level_enum level);
Format format();

class LogFields {
 public:
  LogFields& text(std::string_view key, std::string_view value);
  LogFields& number(std::string_view key, std::int64_t value);
  LogFields& seconds(std::string_view key, double value);  // three decimals
  const std::string& encoded() const { return encoded_; }

 private:
  void begin(std::string_view key);
  std::string encoded_;
};

// `what` and the fields, at `level`: "connection closed conn=17 code=1000".
void log_event(spdlog::level::level_enum level, std::string_view what, const LogFields& fields);

// `text` as the inside of a JSON string.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace rk::logging
