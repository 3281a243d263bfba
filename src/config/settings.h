#pragma once
// Every setting of `roomkey serve` in one place: its default here, its flag,
// bounds and help text in settings.cpp. docs and --help come from that table.
#include <cstddef>
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace rk::config {

struct Settings {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8001;  // the original server's port
  std::string store = "sqlite:./roomkey.db";
  std::string store_password_file;  // for mariadb:// URLs without a password
  std::size_t max_message_bytes = 1 << 20;
  unsigned threads = 0;  // 0: one per core this process may use
  std::string log_level = "info";
  double close_timeout_s = 3.0;     // wait for the peer's close frame, then drop
  double shutdown_timeout_s = 5.0;  // SIGTERM/SIGINT: close everyone within this
};

void add_serve_flags(CLI::App& command, Settings& settings);

}  // namespace rk::config
