// Arbitrary text as a protocol-v2 message. What the parser accepts is relayed
// or echoed (raw numbers, data, ids) or stored (names, keys, epochs), so every
// piece of a result is checked with an independent parse: raw texts are the
// JSON they claim to be and lie inside the parser's copy of the input, bounds
// hold, kinds are consistent, errors are known codes with sentences, and
// "invalid_json" is answered exactly when the input is not JSON.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/client_message_v2.h"
#include "protocol/json_text.h"

namespace {

namespace v2 = rk::protocol::v2;
using simdjson::dom::element_type;

void check(bool condition) {
  if (!condition) std::abort();
}

simdjson::dom::parser& checker() {
  static simdjson::dom::parser parser;
  return parser;
}

// The text parses, alone, as one JSON value; returns its type.
element_type json_type(std::string_view text) {
  simdjson::dom::element element;
  check(!text.empty());
  check(!checker().parse(std::string(text)).get(element));
  return element.type();
}

void check_inside(std::string_view part, std::string_view whole) {
  check(part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size()));
}

// Text the server will quote into its own JSON must be valid UTF-8.
void check_quotable(std::string_view text) { check(json_type(rk::protocol::json_string(text)) == element_type::STRING); }

void check_number(std::string_view raw, double bound) {
  const auto type = json_type(raw);
  check(type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE);
  double value = 0;
  check(!checker().parse(std::string(raw)).get_double().get(value));
  check(value >= -bound && value <= bound);
}

void check_id(std::string_view id) {
  if (id.empty()) return;
  const auto type = json_type(id);
  if (type == element_type::STRING) {
    std::string_view text;
    check(!checker().parse(std::string(id)).get_string().get(text));
    check(text.size() <= v2::kMaxIdBytes);
  } else {
    check(type == element_type::INT64 || type == element_type::UINT64);
    check(id.find_first_of(".eE") == std::string_view::npos);
  }
}

void check_invalid(const v2::InvalidCommand& invalid, bool is_json) {
  namespace c = v2::codes;
  const std::string_view code = invalid.code;
  check(code == c::kInvalidJson || code == c::kInvalidMessage || code == c::kInvalidInit ||
        code == c::kInvalidLocation || code == c::kInvalidId || code == c::kInvalidHistory ||
        code == c::kInvalidDestroy || code == c::kInvalidRefresh);
  check((code == c::kInvalidJson) == !is_json);
  check(!invalid.message.empty() && invalid.message.back() == '.');
  check(code != c::kInvalidId || invalid.id.empty());
  check_id(invalid.id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static v2::ClientMessageParserV2 parser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool is_json = !checker().parse(std::string(text)).error();
  const auto message = parser.parse(text);
  const std::string_view input = parser.last_input();
  check(input == text);

  if (auto* publish = std::get_if<v2::PublishCommand>(&message)) {
    for (auto part : {publish->latitude, publish->longitude, publish->data, publish->id}) check_inside(part, input);
    check_id(publish->id);
    if (publish->kind == v2::PublishKind::kLocation) {
      check(publish->data.empty());
      check_number(publish->latitude, 90);
      check_number(publish->longitude, 180);
    } else {
      check(publish->kind == v2::PublishKind::kMessage || publish->kind == v2::PublishKind::kState);
      check(publish->latitude.empty() && publish->longitude.empty());
      json_type(publish->data);
    }
  } else if (auto* init = std::get_if<v2::InitCommand>(&message)) {
    check_quotable(init->person);
    check(init->has_person || init->person.empty());
    if (init->token) check_quotable(*init->token);
    if (init->join) check_quotable(*init->join);
    if (init->since) check_quotable(init->since->epoch);
  } else if (auto* history = std::get_if<v2::HistoryCommand>(&message)) {
    check(!history->limit || (*history->limit >= 1 && *history->limit <= v2::kMaxHistoryLimit));
  } else if (auto* destroy = std::get_if<v2::DestroyCommand>(&message)) {
    check_quotable(destroy->join);
  } else if (auto* refresh = std::get_if<v2::RefreshCommand>(&message)) {
    check_quotable(refresh->token);
  } else if (auto* unknown = std::get_if<v2::UnknownCommand>(&message)) {
    check_quotable(unknown->type);
  } else if (auto* invalid = std::get_if<v2::InvalidCommand>(&message)) {
    check_inside(invalid->id, input);
    check_invalid(*invalid, is_json);
  }
  if (!std::holds_alternative<v2::InvalidCommand>(message)) check(is_json);

  // The same text parses the same way again (no state leaks between parses).
  check(parser.parse(text).index() == message.index());
  return 0;
}
