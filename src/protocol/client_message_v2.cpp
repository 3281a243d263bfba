#include "protocol/client_message_v2.h"

#include <cstring>

#include "protocol/json_fields.h"

namespace rk::protocol::v2 {
namespace {

namespace od = simdjson::ondemand;

// A field of the wrong JSON type: invalid_message, naming the field.
constexpr std::string_view kNotJson = "Invalid JSON: each message must be one JSON object.";
constexpr std::string_view kNotObject = "Invalid message: expected a JSON object.";
constexpr std::string_view kTypeNotString = "Invalid message: \"type\" must be a string.";
constexpr std::string_view kVNotNumber = "Invalid message: \"v\" must be the number 2.";
constexpr std::string_view kPersonNotString = "Invalid message: \"person\" must be a string.";
constexpr std::string_view kJoinNotString = "Invalid message: \"join\" must be a string.";
constexpr std::string_view kSinceNotObject =
    "Invalid message: \"since\" must be an object with a string \"epoch\" and an integer \"offset\".";
constexpr std::string_view kEpochNotString = "Invalid message: \"since.epoch\" must be a string.";
constexpr std::string_view kOffsetNotNumber = "Invalid message: \"since.offset\" must be a non-negative integer.";
constexpr std::string_view kLatitudeNotNumber = "Invalid message: \"latitude\" must be a number.";
constexpr std::string_view kLongitudeNotNumber = "Invalid message: \"longitude\" must be a number.";
constexpr std::string_view kSinceNotNumber = "Invalid message: \"since\" must be a non-negative integer.";
constexpr std::string_view kLimitNotNumber = "Invalid message: \"limit\" must be an integer from 1 to 10000.";
constexpr std::string_view kMessageNoData = "Invalid message: \"data\" is required.";
constexpr std::string_view kStateNoData = "Invalid state: \"data\" is required.";
// A required field missing, or a value out of bounds: the code of its type.
constexpr std::string_view kWrongVersion = "Invalid init: \"v\" must be 2 for protocol v2.";
constexpr std::string_view kTokenNotString = "Invalid message: \"token\" must be a string.";
constexpr std::string_view kNoToken = "Invalid refresh: \"token\" is required.";
constexpr std::string_view kSinceWithoutJoin = "Invalid init: \"since\" resumes a room, so it needs \"join\".";
constexpr std::string_view kNoEpoch = "Invalid init: \"since.epoch\" is required.";
constexpr std::string_view kNoOffset = "Invalid init: \"since.offset\" is required.";
constexpr std::string_view kBadOffset = "Invalid init: \"since.offset\" must be a non-negative integer.";
constexpr std::string_view kNoLatitude = "Invalid Location Data: \"latitude\" is required.";
constexpr std::string_view kNoLongitude = "Invalid Location Data: \"longitude\" is required.";
constexpr std::string_view kBadLatitude = "Invalid Location Data: \"latitude\" must be from -90 to 90.";
constexpr std::string_view kBadLongitude = "Invalid Location Data: \"longitude\" must be from -180 to 180.";
constexpr std::string_view kBadId = "Invalid id: \"id\" must be a string of at most 64 bytes or an integer.";
constexpr std::string_view kBadSince = "Invalid history: \"since\" must be a non-negative integer.";
constexpr std::string_view kBadLimit = "Invalid history: \"limit\" must be an integer from 1 to 10000.";
constexpr std::string_view kNoJoin = "Invalid destroy: \"join\" is required.";

using json::read_raw;
using json::read_string;
using json::StringField;
using json::trim;

// Each field as one pass saw it: absent, of another JSON type, or its value.
// Views point into the parser (string buffer or input copy) until the next parse.
struct NumberField {
  bool present = false;
  bool is_number = false;
  bool is_integer = false;               // written without fraction or exponent
  std::optional<std::uint64_t> natural;  // its value if a non-negative integer ("-0" is 0)
  std::string_view raw;                  // exact text sent
};
struct SinceField {
  bool present = false;
  od::json_type type = od::json_type::null;
  NumberField number;  // "since" of history
  StringField epoch;   // "since" of init
  NumberField offset;
};
struct IdField {
  bool present = false;
  bool valid = false;
  std::string_view raw;
};

// What one pass over the top-level object collects. A field seen twice keeps
// the first.
struct Fields {
  StringField type, person, join, token;
  NumberField v, latitude, longitude, limit;
  SinceField since;
  IdField id;
  bool data_present = false;
  std::string_view data;  // raw JSON text of any value
};

// Integers are read here; a decimal's value, when needed (latitude and
// longitude), comes from the DOM: simdjson 3.0.1's on-demand get_number()
// reads a decimal of more than 19 digits as 0 and its get_double() rejects an
// exponent of more than 19 digits that the DOM reads (both found by the fuzzer).
simdjson::error_code read_number(od::value value, od::json_type type, NumberField& field) {
  field.present = true;
  field.is_number = type == od::json_type::number;
  if (!field.is_number) return simdjson::SUCCESS;
  field.raw = trim(value.raw_json_token());
  od::number_type kind;
  if (auto error = value.get_number_type().get(kind)) return error;
  field.is_integer = kind == od::number_type::signed_integer || kind == od::number_type::unsigned_integer;
  if (kind == od::number_type::signed_integer) {
    std::int64_t integer;
    if (auto error = value.get_int64().get(integer)) return error;
    if (integer >= 0) field.natural = static_cast<std::uint64_t>(integer);
  } else if (kind == od::number_type::unsigned_integer) {
    std::uint64_t integer;
    if (auto error = value.get_uint64().get(integer)) return error;
    field.natural = integer;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_since(od::value value, od::json_type type, SinceField& since) {
  since.present = true;
  since.type = type;
  if (type == od::json_type::number) return read_number(value, type, since.number);
  if (type != od::json_type::object) return simdjson::SUCCESS;
  od::object object;
  if (auto error = value.get_object().get(object)) return error;
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value inner = field.value();
    od::json_type inner_type;
    if (auto error = inner.type().get(inner_type)) return error;
    if (key == "epoch" && !since.epoch.present) {
      if (auto error = read_string(inner, inner_type, since.epoch)) return error;
    } else if (key == "offset" && !since.offset.present) {
      if (auto error = read_number(inner, inner_type, since.offset)) return error;
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_id(od::value value, od::json_type type, IdField& id) {
  id.present = true;
  if (type == od::json_type::string) {
    const std::string_view raw = trim(value.raw_json_token());
    std::string_view text;
    if (auto error = value.get_string().get(text)) return error;
    id.valid = text.size() <= kMaxIdBytes;
    if (id.valid) id.raw = raw;
  } else if (type == od::json_type::number) {
    NumberField number;
    if (auto error = read_number(value, type, number)) return error;
    id.valid = number.is_integer;
    if (id.valid) id.raw = number.raw;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code read_data(od::value value, od::json_type type, Fields& f) {
  f.data_present = true;
  return read_raw(value, type, f.data);
}

simdjson::error_code read_fields(od::object object, Fields& f) {
  for (auto field : object) {
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return error;
    od::value value = field.value();
    od::json_type type;
    if (auto error = value.type().get(type)) return error;
    StringField* string = key == "type"     ? &f.type
                          : key == "person" ? &f.person
                          : key == "join"   ? &f.join
                          : key == "token"  ? &f.token
                                            : nullptr;
    NumberField* number = key == "v"           ? &f.v
                          : key == "latitude"  ? &f.latitude
                          : key == "longitude" ? &f.longitude
                          : key == "limit"     ? &f.limit
                                               : nullptr;
    simdjson::error_code error = simdjson::SUCCESS;
    if (string && !string->present) {
      error = read_string(value, type, *string);
    } else if (number && !number->present) {
      error = read_number(value, type, *number);
    } else if (key == "since" && !f.since.present) {
      error = read_since(value, type, f.since);
    } else if (key == "id" && !f.id.present) {
      error = read_id(value, type, f.id);
    } else if (key == "data" && !f.data_present) {
      error = read_data(value, type, f);
    }  // any other field: the iteration skips it
    if (error) return error;
  }
  return simdjson::SUCCESS;
}

InvalidCommand invalid(std::string_view code, std::string_view message, std::string_view id = {}) {
  return InvalidCommand{code, message, id};
}

ClientMessage init_command(const Fields& f) {
  if (f.v.present && !f.v.is_number) return invalid(codes::kInvalidMessage, kVNotNumber);
  if (f.v.natural != 2u) return invalid(codes::kInvalidInit, kWrongVersion);
  if (f.person.present && !f.person.is_string) return invalid(codes::kInvalidMessage, kPersonNotString);
  if (f.token.present && !f.token.is_string) return invalid(codes::kInvalidMessage, kTokenNotString);
  // "person" may be missing here: with token auth the name comes from the
  // token (init's or the URL's); without, the handler refuses the init.
  if (f.join.present && !f.join.is_string) return invalid(codes::kInvalidMessage, kJoinNotString);
  InitCommand init;
  if (f.since.present) {
    const SinceField& s = f.since;
    if (s.type != od::json_type::object) return invalid(codes::kInvalidMessage, kSinceNotObject);
    if (s.epoch.present && !s.epoch.is_string) return invalid(codes::kInvalidMessage, kEpochNotString);
    if (!s.epoch.present) return invalid(codes::kInvalidInit, kNoEpoch);
    if (s.offset.present && !s.offset.is_number) return invalid(codes::kInvalidMessage, kOffsetNotNumber);
    if (!s.offset.present) return invalid(codes::kInvalidInit, kNoOffset);
    const auto offset = s.offset.natural;
    if (!offset) return invalid(codes::kInvalidInit, kBadOffset);
    if (!f.join.present) return invalid(codes::kInvalidInit, kSinceWithoutJoin);
    init.since = Since{std::string(s.epoch.text), *offset};
  }
  init.person = std::string(f.person.text);
  init.has_person = f.person.present;
  if (f.join.present) init.join = std::string(f.join.text);
  if (f.token.present) init.token = std::string(f.token.text);
  return init;
}

// The first `key` of the validated document, which the on-demand pass found
// to be a number, within [-bound, bound].
bool within(simdjson::dom::object root, std::string_view key, double bound) {
  double value = 0;
  return !root.at_key(key).get_double().get(value) && value >= -bound && value <= bound;
}

ClientMessage publish_command(const Fields& f, simdjson::dom::object root, PublishKind kind) {
  if (f.id.present && !f.id.valid) return invalid(codes::kInvalidId, kBadId);
  const std::string_view id = f.id.raw;
  PublishCommand publish{kind, {}, {}, {}, id};
  if (kind == PublishKind::kLocation) {
    if (f.latitude.present && !f.latitude.is_number) return invalid(codes::kInvalidMessage, kLatitudeNotNumber, id);
    if (f.longitude.present && !f.longitude.is_number) return invalid(codes::kInvalidMessage, kLongitudeNotNumber, id);
    if (!f.latitude.present) return invalid(codes::kInvalidLocation, kNoLatitude, id);
    if (!f.longitude.present) return invalid(codes::kInvalidLocation, kNoLongitude, id);
    if (!within(root, "latitude", 90)) return invalid(codes::kInvalidLocation, kBadLatitude, id);
    if (!within(root, "longitude", 180)) return invalid(codes::kInvalidLocation, kBadLongitude, id);
    publish.latitude = f.latitude.raw;
    publish.longitude = f.longitude.raw;
    return publish;
  }
  if (!f.data_present)
    return invalid(codes::kInvalidMessage, kind == PublishKind::kState ? kStateNoData : kMessageNoData, id);
  publish.data = f.data;
  return publish;
}

ClientMessage history_command(const Fields& f) {
  HistoryCommand history;
  if (f.since.present) {
    if (f.since.type != od::json_type::number) return invalid(codes::kInvalidMessage, kSinceNotNumber);
    history.since = f.since.number.natural;
    if (!history.since) return invalid(codes::kInvalidHistory, kBadSince);
  }
  if (f.limit.present) {
    if (!f.limit.is_number) return invalid(codes::kInvalidMessage, kLimitNotNumber);
    const auto limit = f.limit.natural;
    if (!limit || *limit < 1 || *limit > kMaxHistoryLimit) return invalid(codes::kInvalidHistory, kBadLimit);
    history.limit = static_cast<std::uint32_t>(*limit);
  }
  return history;
}

}  // namespace

ClientMessage ClientMessageParserV2::parse(std::string_view text) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: one reusable
  // padded buffer per loop avoids an allocation per message.
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2);
  if (!text.empty()) std::memcpy(padded_.data(), text.data(), text.size());
  size_ = text.size();
  init_version_ = InitVersion::kNotInit;

  // Validate the whole document first: the on-demand parser trusts the
  // structure it walks (see the v1 parser).
  simdjson::dom::element root;
  if (validator_.parse(padded_.data(), text.size(), false).get(root)) return invalid(codes::kInvalidJson, kNotJson);
  simdjson::dom::object root_object;
  if (root.get_object().get(root_object)) return invalid(codes::kInvalidMessage, kNotObject);
  // Then the on-demand parser takes the exact source text of the fields.
  od::document doc;
  od::object object;
  Fields f;
  if (parser_.iterate(padded_.data(), text.size(), padded_.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      doc.get_object().get(object) || read_fields(object, f))
    return invalid(codes::kInvalidJson, kNotJson);

  if (!f.type.is_string) return invalid(codes::kInvalidMessage, kTypeNotString);
  const std::string_view type = f.type.text;
  if (type == "init") {
    init_version_ = !f.v.present                    ? InitVersion::kV1
                    : f.v.natural == 1u              ? InitVersion::kV1
                    : f.v.natural == 2u              ? InitVersion::kV2
                                                     : InitVersion::kUnsupported;
    return init_command(f);
  }
  if (type == "Location Data") return publish_command(f, root_object, PublishKind::kLocation);
  if (type == "message") return publish_command(f, root_object, PublishKind::kMessage);
  if (type == "state") return publish_command(f, root_object, PublishKind::kState);
  if (type == "history") return history_command(f);
  if (type == "presence") return PresenceCommand{};
  if (type == "refresh") {
    if (f.token.present && !f.token.is_string) return invalid(codes::kInvalidMessage, kTokenNotString);
    if (!f.token.present) return invalid(codes::kInvalidRefresh, kNoToken);
    return RefreshCommand{std::string(f.token.text)};
  }
  if (type == "destroy") {
    if (f.join.present && !f.join.is_string) return invalid(codes::kInvalidMessage, kJoinNotString);
    if (!f.join.present) return invalid(codes::kInvalidDestroy, kNoJoin);
    return DestroyCommand{std::string(f.join.text)};
  }
  return UnknownCommand{std::string(type)};
}

}  // namespace rk::protocol::v2
