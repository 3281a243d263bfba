#include "protocol/client_message.h"

#include <cstring>

namespace rk::protocol {
namespace {

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

}  // namespace

ClientMessage ClientMessageParser::parse(std::string_view text) {
  // Both simdjson parsers need SIMDJSON_PADDING readable bytes after the text;
  // one reusable buffer per loop avoids an allocation per message.
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2);
  std::memcpy(padded_.data(), text.data(), text.size());
  padded_length_ = text.size();

  simdjson::dom::element root;
  if (validator_.parse(padded_.data(), padded_length_, false).get(root)) return InvalidCommand{kNotJson};
  simdjson::dom::object object;
  if (root.get_object().get(object)) return InvalidCommand{kNotObject};
  std::string_view type;
  if (object["type"].get_string().get(type)) return InvalidCommand{kNoType};

  if (type == "init") {
    InitCommand init;
    std::string_view person;
    if (object["person"].get_string().get(person)) return InvalidCommand{kBadInit};
    init.person = person;
    auto join = object["join"];
    if (join.error() != simdjson::NO_SUCH_FIELD) {
      std::string_view key;
      if (join.get_string().get(key)) return InvalidCommand{kBadInit};
      init.join = std::string(key);
    }
    return init;
  }
  if (type == "Location Data") return parse_location(object);
  if (type == "message") return parse_relay();
  if (type == "destroy") {
    std::string_view key;
    if (object["join"].get_string().get(key)) return InvalidCommand{kBadDestroy};
    return DestroyCommand{std::string(key)};
  }
  return UnknownCommand{std::string(type)};
}

ClientMessage ClientMessageParser::parse_location(simdjson::dom::object object) {
  if (!object["latitude"].is_number() || !object["longitude"].is_number()) return InvalidCommand{kBadLocation};
  const auto latitude = raw_field("latitude");
  const auto longitude = raw_field("longitude");
  if (latitude.empty() || longitude.empty()) return InvalidCommand{kBadLocation};
  return LocationCommand{latitude, longitude};
}

ClientMessage ClientMessageParser::parse_relay() {
  const auto data = raw_field("data");
  if (data.empty()) return InvalidCommand{kBadRelay};
  return RelayCommand{data};
}

// The validated document is walked again on demand to get the exact source
// text of one field's value (simdjson's DOM keeps only decoded values).
std::string_view ClientMessageParser::raw_field(std::string_view name) {
  simdjson::ondemand::document doc;
  if (extractor_.iterate(padded_.data(), padded_length_, padded_.size() + simdjson::SIMDJSON_PADDING).get(doc)) return {};
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return {};
  simdjson::ondemand::value value;
  if (object.find_field_unordered(name).get(value)) return {};
  simdjson::ondemand::json_type type;
  if (value.type().get(type)) return {};
  std::string_view raw;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object inner;
      if (value.get_object().get(inner) || inner.raw_json().get(raw)) return {};
      break;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array inner;
      if (value.get_array().get(inner) || inner.raw_json().get(raw)) return {};
      break;
    }
    default:
      raw = value.raw_json_token();
  }
  return trim(raw);
}

}  // namespace rk::protocol
