#pragma once
// `roomkey connect URL`: a terminal client for people and scripts. It creates
// a room (and prints its key) or joins one, sends each line typed as a
// message or a command (/loc, /state, /history, ...), and prints what the
// room sends, readably or as JSON lines. Exit codes: 0 a clean close, 1 a
// failed connection or one the server ended, 2 a usage error.
#include <string>

namespace CLI {
class App;
}

namespace rk::connect {

class ConnectCommand {
 public:
  // Adds `connect` to `app`.
  explicit ConnectCommand(CLI::App& app);
  bool parsed() const;
  // Runs the session; returns the exit code.
  int run();

 private:
  CLI::App* command_ = nullptr;
  std::string url_;
  std::string person_;
  std::string join_;
  std::string token_;
  std::string token_file_;
  std::string ca_file_;
  bool v1_ = false;
  bool json_ = false;
  bool listen_ = false;
};

}  // namespace rk::connect
