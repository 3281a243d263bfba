#pragma once
// `roomkey rooms list|count|export|import|copy`: room admin from the command
// line, straight on a store (sqlite:, mariadb://, redis://), with no server
// running. Exit codes: 0 done, 2 a usage error (flags, a store URL, a
// malformed input line), 1 a store that cannot be opened or fails midway.
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace rk::admin {

class RoomsCommand {
 public:
  // Adds `rooms` and its subcommands to `app`.
  explicit RoomsCommand(CLI::App& app);
  bool parsed() const;
  // Runs the subcommand that was parsed; returns the exit code.
  int run();

 private:
  int list();
  int count();
  int export_to_output();
  int import_from_input();
  int copy();

  CLI::App* rooms_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* count_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::App* copy_ = nullptr;

  std::string store_;
  std::string password_file_;
  std::string from_;
  std::string from_password_file_;
  std::string to_;
  std::string to_password_file_;
  std::string input_;
  std::string output_;
  bool json_ = false;
  std::int64_t room_ttl_s_ = 2592000;
};

}  // namespace rk::admin
