#include "admin/room_json.h"

#include <simdjson.h>

namespace rk::admin {
namespace {

constexpr std::size_t kMaxKeyBytes = 255;  // the SQL stores' VARCHAR(255)

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
}

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_escaped(out, text);
  out.push_back('"');
}

void append_seconds(std::string& out, const std::optional<std::int64_t>& seconds) {
  out.append(seconds ? std::to_string(*seconds) : "null");
}

std::optional<std::int64_t> seconds_of(std::string_view field, simdjson::dom::element value) {
  if (value.is_null()) return std::nullopt;
  std::int64_t seconds = 0;
  if (!value.is_int64() || value.get_int64().get(seconds) != simdjson::SUCCESS)
    throw MalformedLine("\"" + std::string(field) + "\" must be whole Unix seconds or null");
  if (seconds < 0) throw MalformedLine("\"" + std::string(field) + "\" must not be negative");
  return seconds;
}

}  // namespace

std::string to_json_line(const store::RoomRecord& room) {
  std::string out;
  out.reserve(96 + room.key.size());
  out.append("{\"join\":");
  append_string(out, room.key);
  out.append(",\"owner\":");
  if (room.owner) {
    append_string(out, *room.owner);
  } else {
    out.append("null");
  }
  out.append(",\"created_at\":");
  append_seconds(out, room.created_at);
  out.append(",\"last_used\":");
  append_seconds(out, room.last_used);
  out.push_back('}');
  return out;
}

std::string json_escaped(std::string_view text) {
  std::string out;
  append_escaped(out, text);
  return out;
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

store::RoomRecord parse_json_line(std::string_view line) {
  // One parser per thread: its buffers are reused from line to line.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (const auto error = parser.parse(simdjson::padded_string(line)).get(document))
    throw MalformedLine(std::string("not JSON (") + simdjson::error_message(error) + ")");
  simdjson::dom::object fields;
  if (document.get_object().get(fields) != simdjson::SUCCESS) throw MalformedLine("not a JSON object");
  store::RoomRecord room;
  bool has_key = false;
  for (const auto field : fields) {
    const std::string_view name = field.key;
    const simdjson::dom::element value = field.value;
    if (name == "join") {
      std::string_view key;
      if (value.get_string().get(key) != simdjson::SUCCESS) throw MalformedLine("\"join\" must be a string");
      if (key.empty()) throw MalformedLine("\"join\" is empty");
      if (key.size() > kMaxKeyBytes) throw MalformedLine("\"join\" is longer than 255 bytes");
      room.key = key;
      has_key = true;
    } else if (name == "owner") {
      std::string_view owner;
      if (value.is_null()) continue;
      if (value.get_string().get(owner) != simdjson::SUCCESS) throw MalformedLine("\"owner\" must be a string or null");
      room.owner = std::string(owner);
    } else if (name == "created_at") {
      room.created_at = seconds_of(name, value);
    } else if (name == "last_used") {
      room.last_used = seconds_of(name, value);
    } else {
      throw MalformedLine("unknown field \"" + std::string(name) + "\"");
    }
  }
  if (!has_key) throw MalformedLine("no \"join\" key");
  return room;
}

}  // namespace rk::admin
