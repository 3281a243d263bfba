#include "connect/client_core.h"

#include <chrono>

#include "connect/event_text.h"
#include "connect/typed_line.h"
#include "protocol/json_text.h"

namespace rk::connect {
namespace {

using protocol::json_string;

std::int64_t integer_field(simdjson::dom::object object, std::string_view name) {
  std::int64_t value = 0;
  if (object[name].get_int64().get(value) != simdjson::SUCCESS) return -1;
  return value;
}

// One JSON value per line: the server's frames are single lines, except
// that `data` travels as its sender wrote it, whitespace and all.
std::string one_line(std::string_view text, simdjson::dom::element parsed) {
  if (text.find_first_of("\r\n") == std::string_view::npos) return std::string(text);
  return simdjson::minify(parsed);
}

std::string needs_v2(std::string_view command) {
  return std::string(command) + " needs protocol v2 (this connection speaks v1: --v1); not sent";
}

}  // namespace

ClientCore::ClientCore(ClientOptions options) : options_(std::move(options)) {}

std::int64_t ClientCore::now_ms() const {
  if (now_ms_) return *now_ms_;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Reaction ClientCore::start() {
  std::string init =
      options_.protocol == Protocol::kV2 ? R"({"type":"init","v":2,"person":)" : R"({"type":"init","person":)";
  init += json_string(options_.person);
  if (options_.join) init += ",\"join\":" + json_string(*options_.join);
  if (options_.token) init += ",\"token\":" + json_string(*options_.token);
  init += '}';
  Reaction out;
  out.frame = std::move(init);
  return out;
}

Reaction ClientCore::on_join_confirmed() {
  Reaction out;
  if (entered_ || !needs_join_check()) return out;
  entered_ = true;
  key_ = *options_.join;
  // With a token the server names the member after it; v1 does not say how.
  std::string line =
      printable("joined room " + key_ + (options_.token ? "" : " as " + options_.person) + " (protocol v1)");
  // --json prints frames only, and v1 sends none for a join: say it on stderr.
  (options_.json ? out.notes : out.events).push_back(std::move(line));
  return out;
}

std::string ClientCore::with_id(std::string frame) {
  // v2 publications ask for an ack, so the reader sees each one's offset.
  if (options_.protocol == Protocol::kV2) frame += ",\"id\":" + std::to_string(next_id_++);
  return frame + '}';
}

void ClientCore::answered() {
  if (awaiting_ > 0) --awaiting_;
}

Reaction ClientCore::on_line(std::string_view line) {
  const TypedLine typed = read_typed_line(line);
  const bool v2 = options_.protocol == Protocol::kV2;
  Reaction out;
  switch (typed.kind) {
    case LineKind::kNothing:
      break;
    case LineKind::kInvalid:
      out.notes.push_back(typed.text);
      break;
    case LineKind::kMessage:
      out.frame = with_id(R"({"type":"message","data":)" + json_string(typed.text));
      break;
    case LineKind::kLocation: {
      std::string frame = R"({"type":"Location Data",)";
      if (!v2) frame += "\"person\":" + json_string(options_.person) + ',';
      out.frame = with_id(frame + "\"latitude\":" + typed.latitude + ",\"longitude\":" + typed.longitude);
      break;
    }
    case LineKind::kState:
      if (!v2) {
        out.notes.push_back(needs_v2("/state"));
      } else {
        out.frame = with_id(R"({"type":"state","data":)" + typed.text);
      }
      break;
    case LineKind::kHistory:
      if (!v2) {
        out.notes.push_back(needs_v2("/history"));
      } else {
        out.frame = typed.limit ? R"({"type":"history","limit":)" + std::to_string(*typed.limit) + '}'
                                : std::string(R"({"type":"history"})");
      }
      break;
    case LineKind::kPresence:
      if (!v2) {
        out.notes.push_back(needs_v2("/presence"));
      } else {
        out.frame = R"({"type":"presence"})";
      }
      break;
    case LineKind::kDestroy:
      out.frame = R"({"type":"destroy","join":)" + json_string(key_) + '}';
      break;
    case LineKind::kRaw:
      out.frame = typed.text;
      break;
    case LineKind::kHelp:
      out.notes.push_back("commands:");
      for (std::string_view rest = command_help(); !rest.empty();) {
        const auto end = rest.find('\n');
        out.notes.emplace_back(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      }
      break;
    case LineKind::kQuit:
      out.quit = true;
      break;
  }
  // The server answers each of these in v2 (v1 answers only a destroy), in
  // the order sent.
  const bool answered_kind = typed.kind != LineKind::kRaw && (v2 || typed.kind == LineKind::kDestroy);
  if (out.frame && answered_kind) ++awaiting_;
  return out;
}

Reaction ClientCore::on_frame(std::string_view text) {
  Reaction out;
  simdjson::dom::element parsed;
  simdjson::dom::object frame;
  if (parser_.parse(simdjson::padded_string(text)).get(parsed) != simdjson::SUCCESS ||
      parsed.get_object().get(frame) != simdjson::SUCCESS) {
    out.notes.push_back("the server sent something that is not a JSON object: " + printable(text));
    return out;
  }
  const std::string_view type = string_field(frame, "type");
  Reaction readable;
  if (options_.protocol == Protocol::kV2) {
    on_v2(type, frame, readable);
  } else {
    on_v1(type, frame, readable);
  }
  if (options_.json) {
    out.events.push_back(one_line(text, parsed));
    return out;
  }
  for (auto& line : readable.events) out.events.push_back(printable(line));
  out.notes = std::move(readable.notes);
  return out;
}

std::string ClientCore::stamped(simdjson::dom::object publication) const {
  const std::int64_t offset = integer_field(publication, "offset");
  const std::int64_t at = integer_field(publication, "at");
  std::string line = "#" + std::to_string(offset) + " ";
  if (at >= 0) line += clock_text(at, now_ms()) + " ";
  return line + publication_text(publication);
}

void ClientCore::on_v2(std::string_view type, simdjson::dom::object frame, Reaction& out) {
  if (type == "joined") {
    on_joined(frame, out);
  } else if (type == "presence") {
    on_presence(frame, out);
  } else if (type == "message" || type == "Location Data" || type == "state") {
    out.events.push_back(publication_text(frame));
  } else if (type == "ack") {
    answered();
    out.events.push_back("sent (offset " + std::to_string(integer_field(frame, "offset")) + ")");
  } else if (type == "error") {
    on_error(frame, out);
  } else if (type == "history") {
    answered();
    on_history(frame, out);
  } else if (type == "destroyed") {
    answered();
    destroyed_ = true;
    out.events.push_back("room destroyed");
  } else if (type == "reset") {
    out.events.push_back("the room's sequence restarted: epoch " + std::string(string_field(frame, "epoch", "?")) +
                         ", offset " + std::to_string(integer_field(frame, "offset")));
    list_last_known(frame, out);
  } else if (type == "refreshed") {
    out.events.push_back("token refreshed");
  } else {
    out.events.push_back(publication_text(frame));
  }
}

// `joined` and `reset` carry the room's last known state: one line each.
void ClientCore::list_last_known(simdjson::dom::object frame, Reaction& out) const {
  simdjson::dom::array state;
  if (frame["state"].get_array().get(state) != simdjson::SUCCESS) return;
  for (const auto entry : state) {
    simdjson::dom::object publication;
    if (entry.get_object().get(publication) == simdjson::SUCCESS)
      out.events.push_back("last known: " + stamped(publication));
  }
}

void ClientCore::on_joined(simdjson::dom::object frame, Reaction& out) {
  entered_ = true;
  key_ = string_field(frame, "join");
  bool created = false;
  if (frame["created"].get_bool().get(created) != simdjson::SUCCESS) created = false;
  simdjson::dom::object you;
  std::string who = "?";
  if (frame["you"].get_object().get(you) == simdjson::SUCCESS)
    who = std::string(string_field(you, "person", "?")) + " (id " + std::string(string_field(you, "id", "?")) + ")";
  simdjson::dom::array members;
  const std::string list =
      frame["members"].get_array().get(members) == simdjson::SUCCESS ? member_list(members, false) : "?";
  if (created) {
    out.events.push_back("created room " + key_ + " as " + who);
    out.events.push_back("key: " + key_);
  } else {
    out.events.push_back("joined room " + key_ + " as " + who + "; members: " + list);
  }
  list_last_known(frame, out);
}

void ClientCore::on_presence(simdjson::dom::object frame, Reaction& out) {
  simdjson::dom::array members;
  if (frame["members"].get_array().get(members) == simdjson::SUCCESS) {
    answered();
    out.events.push_back("members: " + member_list(members, true));
    return;
  }
  simdjson::dom::object member;
  std::string person = "?";
  if (frame["member"].get_object().get(member) == simdjson::SUCCESS) person = string_field(member, "person", "?");
  const std::string_view event = string_field(frame, "event");
  if (event == "join") {
    out.events.push_back(person + " joined");
  } else if (event == "leave") {
    out.events.push_back(person + " left (" + std::string(string_field(frame, "reason", "?")) + ")");
  } else {
    out.events.push_back("presence " + simdjson::minify(frame));
  }
}

void ClientCore::on_history(simdjson::dom::object frame, Reaction& out) {
  simdjson::dom::array publications;
  if (frame["publications"].get_array().get(publications) != simdjson::SUCCESS) {
    out.events.push_back("history " + simdjson::minify(frame));
    return;
  }
  const std::size_t count = publications.size();
  out.events.push_back("history: " + std::to_string(count) + (count == 1 ? " publication" : " publications") +
                       " (the room is at offset " + std::to_string(integer_field(frame, "offset")) + ")");
  for (const auto entry : publications) {
    simdjson::dom::object publication;
    if (entry.get_object().get(publication) == simdjson::SUCCESS) out.events.push_back("  " + stamped(publication));
  }
}

void ClientCore::on_error(simdjson::dom::object frame, Reaction& out) {
  answered();
  const std::string_view code = string_field(frame, "code");
  const std::string_view message = string_field(frame, "message", "?");
  last_error_ = code.empty() ? std::string(message) : std::string(code) + ": " + std::string(message);
  out.events.push_back(code.empty() ? "error: " + std::string(message) : "error " + last_error_);
}

void ClientCore::on_v1(std::string_view type, simdjson::dom::object frame, Reaction& out) {
  if (type == "init") {
    entered_ = true;
    key_ = string_field(frame, "join");
    // With a token the server names the member after it; v1 does not say how.
    out.events.push_back("created room " + key_ + (options_.token ? "" : " as " + options_.person) + " (protocol v1)");
    out.events.push_back("key: " + key_);
  } else if (type == "connection_message") {
    const std::string_view message = string_field(frame, "message", "?");
    const auto ends_with = [&](std::string_view tail, std::string_view said) {
      if (!message.ends_with(tail)) return false;
      out.events.push_back(std::string(message.substr(0, message.size() - tail.size())) + std::string(said));
      return true;
    };
    if (message.ends_with(" Session Destroyed!") && message.starts_with(key_) && !key_.empty()) {
      answered();
      destroyed_ = true;
      out.events.push_back("room destroyed");
    } else if (!ends_with(" Joined!", " joined") && !ends_with(" Disconnected!", " left")) {
      out.events.emplace_back(message);
    }
  } else if (type == "error") {
    on_error(frame, out);
  } else {
    out.events.push_back(publication_text(frame));
  }
}

}  // namespace rk::connect
