// roomkey: a real-time room server speaking protocol v1 over WebSocket.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "config/settings.h"
#include "net/server.h"

int main(int argc, char** argv) {
  CLI::App app{
      "roomkey: a WebSocket room server. Clients create a room (and get an unguessable key) or join one by\n"
      "its key; every message a member sends reaches the other members of that room and no one else."};
  app.set_version_flag("--version", std::string("roomkey ") + ROOMKEY_VERSION);
  app.require_subcommand(1);

  rk::config::Settings settings;
  auto* serve = app.add_subcommand("serve", "Run the room server (protocol v1, port 8001 by default)");
  rk::config::add_serve_flags(*serve, settings);
  app.footer("Run 'roomkey serve --help' for the server's flags.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  spdlog::set_level(spdlog::level::from_str(settings.log_level));
  std::signal(SIGPIPE, SIG_IGN);
  if (serve->parsed()) return rk::net::serve(settings);
  return 0;
}
