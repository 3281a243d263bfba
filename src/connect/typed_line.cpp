#include "connect/typed_line.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <vector>

namespace rk::connect {
namespace {

constexpr int kMaxHistoryLimit = 10000;  // protocol v2, section 7

TypedLine invalid(std::string why) { return {LineKind::kInvalid, std::move(why), {}, {}, {}}; }

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// The words of `text`, split at blanks and commas (so "52.52, 13.405" is two).
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (is_space(text[at]) || text[at] == ',')) ++at;
    const std::size_t start = at;
    while (at < text.size() && !is_space(text[at]) && text[at] != ',') ++at;
    if (at > start) out.push_back(text.substr(start, at - start));
  }
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Empty if `word` is a JSON number from -bound to bound, else why not.
std::string coordinate_problem(std::string_view name, std::string_view word, double bound) {
  double value = 0;
  if (!is_json_number(word) || std::from_chars(word.data(), word.data() + word.size(), value).ec != std::errc() ||
      !std::isfinite(value))
    return std::string(name) + " '" + std::string(word) + "' is not a number";
  if (value < -bound || value > bound)
    return std::string(name) + " " + std::string(word) + " is out of range (" +
           std::to_string(static_cast<int>(-bound)) + " to " + std::to_string(static_cast<int>(bound)) + ")";
  return {};
}

TypedLine location(std::string_view args) {
  const auto parts = words(args);
  if (parts.size() != 2) return invalid("usage: /loc LATITUDE LONGITUDE (e.g. /loc 52.52 13.405)");
  for (const auto& problem :
       {coordinate_problem("latitude", parts[0], 90), coordinate_problem("longitude", parts[1], 180)}) {
    if (!problem.empty()) return invalid("/loc: " + problem + "; not sent");
  }
  return {LineKind::kLocation, {}, std::string(parts[0]), std::string(parts[1]), {}};
}

// Empty if `text` is one valid JSON value, else the parser's complaint.
std::string json_problem(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element ignored;
  if (const auto error = parser.parse(simdjson::padded_string(text)).get(ignored))
    return simdjson::error_message(error);
  return {};
}

TypedLine json_command(LineKind kind, std::string_view name, std::string_view args) {
  const std::string_view json = trimmed(args);
  if (json.empty())
    return invalid("usage: " + std::string(name) + " JSON (e.g. " + std::string(name) + " {\"battery\":0.4})");
  if (const auto problem = json_problem(json); !problem.empty())
    return invalid(std::string(name) + " needs valid JSON (" + problem + "); not sent");
  return {kind, std::string(json), {}, {}, {}};
}

TypedLine history(std::string_view args) {
  const auto parts = words(args);
  if (parts.empty()) return {LineKind::kHistory, {}, {}, {}, {}};
  int limit = 0;
  const std::string_view word = parts[0];
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), limit);
  if (parts.size() > 1 || error != std::errc() || end != word.data() + word.size() || limit < 1 ||
      limit > kMaxHistoryLimit)
    return invalid("usage: /history [N], N from 1 to 10000 (the latest N publications)");
  return {LineKind::kHistory, {}, {}, {}, limit};
}

TypedLine bare(LineKind kind, std::string_view name, std::string_view args) {
  if (!trimmed(args).empty()) return invalid(std::string(name) + " takes no arguments");
  return {kind, {}, {}, {}, {}};
}

}  // namespace

TypedLine read_typed_line(std::string_view line) {
  if (trimmed(line).empty()) return {};
  if (!simdjson::validate_utf8(line.data(), line.size())) return invalid("the line is not valid UTF-8; not sent");
  if (line.starts_with("//")) return {LineKind::kMessage, std::string(line.substr(1)), {}, {}, {}};
  if (!line.starts_with("/")) return {LineKind::kMessage, std::string(line), {}, {}, {}};

  std::size_t name_end = 0;
  while (name_end < line.size() && !is_space(line[name_end])) ++name_end;
  const std::string_view name = line.substr(0, name_end);
  const std::string_view args = line.substr(name_end);
  if (name == "/loc") return location(args);
  if (name == "/state") return json_command(LineKind::kState, name, args);
  if (name == "/raw") return json_command(LineKind::kRaw, name, args);
  if (name == "/history") return history(args);
  if (name == "/presence") return bare(LineKind::kPresence, name, args);
  if (name == "/destroy") return bare(LineKind::kDestroy, name, args);
  if (name == "/help") return bare(LineKind::kHelp, name, args);
  if (name == "/quit") return bare(LineKind::kQuit, name, args);
  return invalid("unknown command " + std::string(name) +
                 " (/help lists them; start a line with // to send it as a message that begins with /)");
}

std::string_view command_help() {
  return "  TEXT              send TEXT as a message ({\"type\":\"message\",\"data\":\"TEXT\"})\n"
         "  //TEXT            send /TEXT as a message (a message that begins with /)\n"
         "  /loc LAT LON      send your location (Location Data), e.g. /loc 52.52 13.405\n"
         "  /state JSON       publish your state, which the room remembers (v2), e.g. /state {\"battery\":0.4}\n"
         "  /presence         list the members now in the room (v2)\n"
         "  /history [N]      list the publications the room still holds, the latest N (v2)\n"
         "  /destroy          destroy the room: everyone is told and disconnected\n"
         "  /raw JSON         send JSON exactly as typed (any message of the protocol)\n"
         "  /help             list these commands\n"
         "  /quit             leave (close 1000); so does the end of input (Ctrl-D)\n";
}

}  // namespace rk::connect
