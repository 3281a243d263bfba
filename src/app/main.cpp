// roomkey: a real-time room server over WebSocket (protocol v1, the original's, and v2).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "admin/rooms_command.h"
#include "bench/bench_options.h"
#include "config/config_error.h"
#include "config/print_config.h"
#include "connect/connect_command.h"
#include "config/setting_layers.h"
#include "config/settings.h"
#include "logging/log_format.h"
#include "net/server.h"

namespace {

// By convention: 2 for a usage or configuration error, 1 for a failure at run
// time, 0 for success (--help and --version included).
constexpr int kExitUsage = 2;

int usage_error(const CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == 0) return app.exit(error);
  app.exit(error);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "roomkey: a WebSocket room server. Clients create a room (and get an unguessable key) or join one by\n"
      "its key; every message a member sends reaches the other members of that room and no one else."};
  app.set_version_flag("--version", std::string("roomkey ") + ROOMKEY_VERSION);
  app.require_subcommand(1);

  rk::config::Settings settings;
  auto* serve = app.add_subcommand("serve", "Run the room server (protocols v1 and v2, port 8001 by default)");
  rk::config::add_serve_flags(*serve, settings);
  serve->footer(
      "Every flag can also be set by the environment (ROOMKEY_<FLAG>: ROOMKEY_MAX_ROOM_MEMBERS=100) or as a\n"
      "key of the --config file (max_room_members = 100); a flag beats the environment, which beats the file.");
  rk::bench::BenchOptions bench_options;
  auto* bench = app.add_subcommand(
      "bench", "Load-test a protocol-v1 server (roomkey or any other) or roomkey's v2: fan-out, idle memory, churn or resume; one JSON line");
  rk::bench::add_bench_flags(*bench, bench_options);
  rk::admin::RoomsCommand rooms(app);
  rk::connect::ConnectCommand connect(app);
  app.footer("Run 'roomkey serve --help', 'roomkey bench --help' or 'roomkey connect --help' for their flags.");

  rk::config::SettingOrigins origins;
  try {
    app.parse(argc, argv);
    if (serve->parsed()) {
      origins = rk::config::apply_setting_layers(app, *serve, argc, argv);
      rk::config::check_settings(settings);
    }
  } catch (const CLI::ParseError& e) {
    return usage_error(app, e);
  } catch (const rk::config::ConfigError& e) {
    std::cerr << "roomkey: " << e.what() << "\n";
    return kExitUsage;
  }
  if (settings.print_config) {
    std::cout << rk::config::effective_settings_toml(*serve, origins);
    return 0;
  }

  rk::logging::configure(settings.log_format == "json" ? rk::logging::Format::kJson : rk::logging::Format::kText,
                         spdlog::level::from_str(settings.log_level));
  std::signal(SIGPIPE, SIG_IGN);
  if (serve->parsed()) return rk::net::serve(settings);
  if (bench->parsed()) return rk::bench::run_bench(bench_options);
  if (rooms.parsed()) return rooms.run();
  if (connect.parsed()) return connect.run();
  return 0;
}
