#include "protocol/client_message.h"

#include <cstring>

namespace rk::protocol {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kNotJson = "Invalid JSON: each message must be one JSON object.";
constexpr std::string_view kNotObject = "Invalid message: expected a JSON object.";
constexpr std::string_view kNoType = "Invalid message: \"type\" must be a string.";
constexpr std::string_view kBadInit = "Invalid init: \"person\" must be a string and \"join\", if present, a string.";
constexpr std::string_view kBadLocation = "Invalid Location Data: \"latitude\" and \"longitude\" must be numbers.";
constexpr std::string_view kBadRelay = "Invalid message: \"data\" is required.";
constexpr std::string_view kBadDestroy = "Invalid destroy: \"join\" must be a string.";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// A string-valued field as one pass saw it: absent, not a string, or text
// (pointing into the parser's string buffer, valid until the next parse).
struct StringField {
  bool present = false;
  bool is_string = false;
  std::string_view text;
};

// What one pass over the top-level object collects. A field seen twice keeps
// the first.
struct Fields {
  StringField type, person, join;
  std::string_view latitude, longitude;  // raw number text, empty unless a number
  bool latitude_present = false, longitude_present = false;
  std::string_view data;  // raw JSON text of any value
  bool data_present = false;
};

// Walks any value to its end, validating it: simdjson's on-demand parser only
// checks what is read, so every scalar is read and every container entered.
simdjson::error_code validate(od::value value, int depth = 0) {
  if (depth > 256) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field : object) {
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return error;
        if (auto error = validate(field.value(), depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element : array) {
        od::value inner;
        if (auto error = element.get(inner)) return error;
        if (auto error = validate(inner, depth + 1)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::number:
      return value.get_number().error();
    case od::json_type::string:
      return value.get_string().error();
    case od::json_type::boolean:
      return value.get_bool().error();
    case od::json_type::null:
      return value.is_null().error();
  }
  return simdjson::TAPE_ERROR;
}

// Nothing but whitespace after the root value (simdjson 3.0 has no at_end()).
bool at_end(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

simdjson::error_code read_string_field(od::value value, od::json_type type, StringField& field) {
  field.present = true;
  field.is_string = type == od::json_type::string;
  if (!field.is_string) return validate(value);
  return value.get_string().get(field.text);
}

simdjson::error_code read_fields(od::object object, Fields& f) {
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value value = field.value();
    od::json_type type;
    if (auto error = value.type().get(type)) return error;
    StringField* named = key == "type" ? &f.type : key == "person" ? &f.person : key == "join" ? &f.join : nullptr;
    if (named && !named->present) {
      if (auto error = read_string_field(value, type, *named)) return error;
    } else if ((key == "latitude" && !f.latitude_present) || (key == "longitude" && !f.longitude_present)) {
      const bool is_latitude = key == "latitude";
      (is_latitude ? f.latitude_present : f.longitude_present) = true;
      if (type != od::json_type::number) {
        if (auto error = validate(value)) return error;
        continue;
      }
      const std::string_view raw = trim(value.raw_json_token());
      if (auto error = value.get_number().error()) return error;
      (is_latitude ? f.latitude : f.longitude) = raw;
    } else if (key == "data" && !f.data_present) {
      f.data_present = true;
      if (type == od::json_type::object || type == od::json_type::array) {
        std::string_view raw;
        if (type == od::json_type::object) {
          od::object inner;
          if (auto error = value.get_object().get(inner)) return error;
          if (auto error = inner.raw_json().get(raw)) return error;
        } else {
          od::array inner;
          if (auto error = value.get_array().get(inner)) return error;
          if (auto error = inner.raw_json().get(raw)) return error;
        }
        f.data = trim(raw);
      } else {
        f.data = trim(value.raw_json_token());
        if (auto error = validate(value)) return error;
      }
    } else {
      if (auto error = validate(value)) return error;
    }
  }
  return simdjson::SUCCESS;
}

}  // namespace

ClientMessage ClientMessageParser::parse(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: one reusable
  // padded buffer per loop avoids an allocation per message.
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2);
  std::memcpy(padded_.data(), text.data(), text.size());

  od::document doc;
  if (parser_.iterate(padded_.data(), text.size(), padded_.size() + simdjson::SIMDJSON_PADDING).get(doc))
    return InvalidCommand{kNotJson};
  od::json_type root_type;
  if (doc.type().get(root_type)) return InvalidCommand{kNotJson};
  if (root_type != od::json_type::object) {
    // Still tell malformed JSON apart from well-formed non-objects.
    od::value root;
    if (doc.get_value().get(root) || validate(root) || !at_end(doc)) return InvalidCommand{kNotJson};
    return InvalidCommand{kNotObject};
  }
  od::object object;
  if (doc.get_object().get(object)) return InvalidCommand{kNotJson};
  Fields f;
  if (read_fields(object, f) || !at_end(doc)) return InvalidCommand{kNotJson};
  // Objects and arrays in `data` were skipped by the pass above; their text
  // sits inside the padded buffer, so it can be validated in place.
  if (!f.data.empty() && (f.data.front() == '{' || f.data.front() == '[') &&
      nested_validator_.parse(f.data.data(), f.data.size(), false).error())
    return InvalidCommand{kNotJson};

  if (!f.type.is_string) return InvalidCommand{kNoType};
  const std::string_view type = f.type.text;
  if (type == "init") {
    if (!f.person.is_string || (f.join.present && !f.join.is_string)) return InvalidCommand{kBadInit};
    InitCommand init;
    init.person = std::string(f.person.text);
    if (f.join.present) init.join = std::string(f.join.text);
    return init;
  }
  if (type == "Location Data") {
    if (f.latitude.empty() || f.longitude.empty()) return InvalidCommand{kBadLocation};
    return LocationCommand{f.latitude, f.longitude};
  }
  if (type == "message") {
    if (f.data.empty()) return InvalidCommand{kBadRelay};
    return RelayCommand{f.data};
  }
  if (type == "destroy") {
    if (!f.join.is_string) return InvalidCommand{kBadDestroy};
    return DestroyCommand{std::string(f.join.text)};
  }
  return UnknownCommand{std::string(type)};
}

}  // namespace rk::protocol
