#pragma once
// What both protocol parsers read off simdjson's on-demand values: a string
// field as present / of another type / its text, and the exact source text
// of any value (relayed without being re-serialized). Views point into the
// parser until its next parse.
#include <string_view>

#include <simdjson.h>

namespace rk::protocol::json {

namespace od = simdjson::ondemand;

// simdjson's raw tokens keep the whitespace that follows them.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

struct StringField {
  bool present = false;
  bool is_string = false;
  std::string_view text;
};

inline simdjson::error_code read_string(od::value value, od::json_type type, StringField& field) {
  field.present = true;
  field.is_string = type == od::json_type::string;
  if (!field.is_string) return simdjson::SUCCESS;
  return value.get_string().get(field.text);
}

// The exact text of any JSON value: objects and arrays whole.
inline simdjson::error_code read_raw(od::value value, od::json_type type, std::string_view& raw) {
  if (type == od::json_type::object) {
    od::object inner;
    if (auto error = value.get_object().get(inner)) return error;
    if (auto error = inner.raw_json().get(raw)) return error;
  } else if (type == od::json_type::array) {
    od::array inner;
    if (auto error = value.get_array().get(inner)) return error;
    if (auto error = inner.raw_json().get(raw)) return error;
  } else {
    raw = value.raw_json_token();
  }
  raw = trim(raw);
  return simdjson::SUCCESS;
}

}  // namespace rk::protocol::json
