#include "connect/event_text.h"

#include <ctime>

namespace rk::connect {

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      out += "\\n";
    } else if (byte == '\r') {
      out += "\\r";
    } else if (byte < 0x20 && byte != '\t') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else if (byte == 0x7F) {
      out += "\\x7f";
    } else if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      // U+0080..U+009F: C1 controls, which some terminals obey (U+009B is CSI).
      const auto low = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[low >> 4];
      out += kHex[low & 0xF];
    } else {
      out += static_cast<char>(byte);
    }
  }
  return out;
}

std::string value_text(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return simdjson::minify(value);
}

std::string_view string_field(simdjson::dom::object object, std::string_view name, std::string_view fallback) {
  std::string_view value;
  if (object[name].get_string().get(value) != simdjson::SUCCESS) return fallback;
  return value;
}

namespace {

std::string field_text(simdjson::dom::object object, std::string_view name) {
  simdjson::dom::element value;
  if (object[name].get(value) != simdjson::SUCCESS) return "?";
  return value_text(value);
}

}  // namespace

std::string publication_text(simdjson::dom::object publication) {
  const std::string_view type = string_field(publication, "type");
  const std::string person(string_field(publication, "person", "?"));
  if (type == "message") return person + ": " + field_text(publication, "data");
  if (type == "Location Data")
    return person + " is at " + field_text(publication, "latitude") + ", " + field_text(publication, "longitude");
  if (type == "state") {
    simdjson::dom::element data;
    return person + " set state " + (publication["data"].get(data) == simdjson::SUCCESS ? simdjson::minify(data) : "?");
  }
  return std::string(type) + " " + simdjson::minify(publication);
}

std::string member_list(simdjson::dom::array members, bool with_ids) {
  std::string out;
  for (const auto member : members) {
    simdjson::dom::object fields;
    if (member.get_object().get(fields) != simdjson::SUCCESS) continue;
    if (!out.empty()) out += ", ";
    out += string_field(fields, "person", "?");
    if (with_ids) {
      out += " (id ";
      out += string_field(fields, "id", "?");
      out += ")";
    }
  }
  return out.empty() ? "(none)" : out;
}

std::string clock_text(std::int64_t at_ms, std::int64_t now_ms) {
  const std::time_t at = static_cast<std::time_t>(at_ms / 1000);
  const std::time_t now = static_cast<std::time_t>(now_ms / 1000);
  std::tm at_parts{}, now_parts{};
  localtime_r(&at, &at_parts);
  localtime_r(&now, &now_parts);
  const bool same_day = at_parts.tm_year == now_parts.tm_year && at_parts.tm_yday == now_parts.tm_yday;
  char text[32];
  std::strftime(text, sizeof text, same_day ? "%H:%M:%S" : "%Y-%m-%d %H:%M", &at_parts);
  return text;
}

}  // namespace rk::connect
