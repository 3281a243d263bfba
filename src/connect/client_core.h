#pragma once
// `roomkey connect` without I/O: the frames it sends for what is typed, and
// what it prints for what it receives, in either protocol. The I/O shell
// (connect_session.cpp) feeds it lines and frames and carries out its
// Reactions; tests feed it strings.
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::connect {

enum class Protocol { kV1, kV2 };

struct ClientOptions {
  Protocol protocol = Protocol::kV2;
  std::string person;
  std::optional<std::string> join;   // else create a room
  std::optional<std::string> token;  // sent in the init
  bool json = false;                 // print each frame as received, one per line
};

// What to do in answer to one line or one frame.
struct Reaction {
  std::vector<std::string> events;   // stdout, one line each
  std::vector<std::string> notes;    // stderr, one line each
  std::optional<std::string> frame;  // a text message to send
  bool quit = false;                 // close with 1000 once what is queued is sent
};

class ClientCore {
 public:
  explicit ClientCore(ClientOptions options);

  // The first frame, the init.
  Reaction start();
  // v1 confirms a create but not a join (a bad key gets an error and a
  // close): the shell pings right after the init, and the server, which
  // reads a connection's frames in order, answers once the join is done.
  bool needs_join_check() const { return options_.protocol == Protocol::kV1 && options_.join.has_value(); }
  // The pong arrived and the connection is still open: the v1 join worked.
  Reaction on_join_confirmed();
  Reaction on_frame(std::string_view text);
  // A typed line; only once entered() (a /destroy needs the key).
  Reaction on_line(std::string_view line);

  bool entered() const { return entered_; }
  // The server announced the room's destruction: its close 1000 is the end.
  bool destroyed() const { return destroyed_; }
  const std::string& key() const { return key_; }
  // The last error the server sent ("not_found: ...", v1's message alone),
  // for the exit reason when the server then closes; empty if none.
  const std::string& last_error() const { return last_error_; }
  // Requests sent whose answer (an ack, an error, the history, the member
  // list, the destroyed notice) has not arrived yet: leaving waits for them,
  // so that a script's last lines get their answers printed. /raw frames are
  // not counted.
  int awaiting_answers() const { return awaiting_; }

  // For the clock in readable history lines; tests pin it.
  void set_now_ms(std::int64_t now_ms) { now_ms_ = now_ms; }

 private:
  void on_v2(std::string_view type, simdjson::dom::object frame, Reaction& out);
  void on_v1(std::string_view type, simdjson::dom::object frame, Reaction& out);
  void on_joined(simdjson::dom::object frame, Reaction& out);
  void list_last_known(simdjson::dom::object frame, Reaction& out) const;
  void on_presence(simdjson::dom::object frame, Reaction& out);
  void on_history(simdjson::dom::object frame, Reaction& out);
  void on_error(simdjson::dom::object frame, Reaction& out);
  void answered();
  std::string stamped(simdjson::dom::object publication) const;
  std::string with_id(std::string frame);
  std::int64_t now_ms() const;

  ClientOptions options_;
  simdjson::dom::parser parser_;
  bool entered_ = false;
  bool destroyed_ = false;
  std::string key_;
  std::string last_error_;
  std::uint64_t next_id_ = 1;
  int awaiting_ = 0;
  std::optional<std::int64_t> now_ms_;
};

}  // namespace rk::connect
