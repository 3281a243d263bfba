#include "protocol/client_message.h"

#include <cstring>

#include "protocol/json_fields.h"

namespace rk::protocol {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kNotJson = "Invalid JSON: each message must be one JSON object.";
constexpr std::string_view kNotObject = "Invalid message: expected a JSON object.";
constexpr std::string_view kNoType = "Invalid message: \"type\" must be a string.";
constexpr std::string_view kBadInit = "Invalid init: \"person\" must be a string and \"join\", if present, a string.";
constexpr std::string_view kBadToken = "Invalid init: \"token\" must be a string.";
constexpr std::string_view kBadLocation = "Invalid Location Data: \"latitude\" and \"longitude\" must be numbers.";
constexpr std::string_view kBadRelay = "Invalid message: \"data\" is required.";
constexpr std::string_view kBadDestroy = "Invalid destroy: \"join\" must be a string.";

using json::StringField;
using json::trim;

// What one pass over the top-level object collects. A field seen twice keeps
// the first.
struct Fields {
  StringField type, person, join, token;
  std::string_view latitude, longitude;  // raw number text, empty unless a number
  bool latitude_present = false, longitude_present = false;
  std::string_view data;  // raw JSON text of any value
  bool data_present = false;
};

simdjson::error_code read_fields(od::object object, Fields& f) {
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value value = field.value();
    od::json_type type;
    if (auto error = value.type().get(type)) return error;
    StringField* named = key == "type"     ? &f.type
                         : key == "person" ? &f.person
                         : key == "join"   ? &f.join
                         : key == "token"  ? &f.token
                                           : nullptr;
    if (named && !named->present) {
      if (auto error = json::read_string(value, type, *named)) return error;
    } else if ((key == "latitude" && !f.latitude_present) || (key == "longitude" && !f.longitude_present)) {
      const bool is_latitude = key == "latitude";
      (is_latitude ? f.latitude_present : f.longitude_present) = true;
      if (type != od::json_type::number) continue;
      const std::string_view raw = trim(value.raw_json_token());
      if (auto error = value.get_number().error()) return error;
      (is_latitude ? f.latitude : f.longitude) = raw;
    } else if (key == "data" && !f.data_present) {
      f.data_present = true;
      if (auto error = json::read_raw(value, type, f.data)) return error;
    }  // any other field: the iteration skips it
  }
  return simdjson::SUCCESS;
}

}  // namespace

ClientMessage ClientMessageParser::parse(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: one reusable
  // padded buffer per loop avoids an allocation per message.
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2);
  std::memcpy(padded_.data(), text.data(), text.size());

  // The DOM parser validates the whole document first: simdjson's on-demand
  // parser trusts the structure it walks, and on unbalanced input (found by
  // the fuzzer: 75 unclosed '[') it reads past its token index.
  simdjson::dom::element root;
  if (validator_.parse(padded_.data(), text.size(), false).get(root)) return InvalidCommand{kNotJson};
  if (!root.is_object()) return InvalidCommand{kNotObject};
  // Then the on-demand parser takes the exact source text of the fields.
  od::document doc;
  od::object object;
  Fields f;
  if (parser_.iterate(padded_.data(), text.size(), padded_.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      doc.get_object().get(object) || read_fields(object, f))
    return InvalidCommand{kNotJson};

  if (!f.type.is_string) return InvalidCommand{kNoType};
  const std::string_view type = f.type.text;
  if (type == "init") {
    if (f.token.present && !f.token.is_string) return InvalidCommand{kBadToken};
    // "person" may be missing here: with token auth the name comes from the
    // token (init's or the URL's); without, the handler refuses the init.
    const bool person_ok = f.person.is_string || !f.person.present;
    if (!person_ok || (f.join.present && !f.join.is_string)) return InvalidCommand{kBadInit};
    InitCommand init;
    init.person = std::string(f.person.text);
    init.has_person = f.person.present;
    if (f.join.present) init.join = std::string(f.join.text);
    if (f.token.present) init.token = std::string(f.token.text);
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
