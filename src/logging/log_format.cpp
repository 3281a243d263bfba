#include "logging/log_format.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace rk::logging {
namespace {

// Set once by configure() before other threads start; read-only after.
Format chosen_format = Format::kText;

// Between an event's message and its fields, so that the JSON formatter can
// tell them apart. Only a line log_event() is writing is split there (the
// formatter runs on the logging thread, inside that call): any other line's
// \x1f is escaped like any control byte.
constexpr char kFieldsMark = '\x1f';
thread_local bool writing_event = false;

void append_time(std::string& out, std::chrono::system_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                              utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                              static_cast<int>(millis));
  out.append(text, static_cast<std::size_t>(n));
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line = "{\"time\":\"";
    append_time(line, msg.time);
    line += "\",\"level\":\"";
    const auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",\"msg\":\"";
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::size_t mark = writing_event ? payload.rfind(kFieldsMark) : std::string_view::npos;
    append_json_escaped(line, payload.substr(0, mark));
    line += '"';
    if (mark != std::string_view::npos && mark + 1 < payload.size()) line.append(",").append(payload.substr(mark + 1));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

bool needs_quotes(std::string_view value) {
  return value.empty() || value.find_first_of(" \"=\\") != std::string_view::npos;
}

}  // namespace

void configure(Format format, spdlog::level::level_enum level) {
  chosen_format = format;
  spdlog::set_level(level);
  if (format == Format::kJson) spdlog::set_formatter(std::make_unique<JsonFormatter>());
}

Format format() { return chosen_format; }

// Bytes of a whole, well-formed UTF-8 sequence starting at `text[i]`; 0 if
// there is none (a database's error text may be in another encoding).
static std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      const std::size_t length = utf8_sequence(text, i);
      if (length == 0) {
        out += "\\ufffd";  // not UTF-8: JSON must be
        continue;
      }
      out.append(text.substr(i, length));
      i += length - 1;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
}

void LogFields::begin(std::string_view key) {
  if (chosen_format == Format::kJson) {
    if (!encoded_.empty()) encoded_ += ',';
    encoded_.append("\"").append(key).append("\":");
  } else {
    encoded_.append(" ").append(key).append("=");
  }
}

LogFields& LogFields::text(std::string_view key, std::string_view value) {
  begin(key);
  if (chosen_format == Format::kJson || needs_quotes(value)) {
    encoded_ += '"';
    append_json_escaped(encoded_, value);
    encoded_ += '"';
  } else {
    append_json_escaped(encoded_, value);  // no raw control bytes in a text line either
  }
  return *this;
}

LogFields& LogFields::number(std::string_view key, std::int64_t value) {
  begin(key);
  encoded_ += std::to_string(value);
  return *this;
}

LogFields& LogFields::seconds(std::string_view key, double value) {
  begin(key);
  char text[32];
  const int n = std::snprintf(text, sizeof text, "%.3f", value);
  encoded_.append(text, static_cast<std::size_t>(n));
  return *this;
}

void log_event(spdlog::level::level_enum level, std::string_view what, const LogFields& fields) {
  if (!spdlog::should_log(level)) return;
  if (chosen_format == Format::kJson) {
    writing_event = true;
    spdlog::log(level, "{}{}{}", what, kFieldsMark, fields.encoded());
    writing_event = false;
  } else {
    spdlog::log(level, "{}{}", what, fields.encoded());
  }
}

}  // namespace rk::logging
