#include "connect/connect_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "connect/client_core.h"
#include "connect/connect_session.h"
#include "connect/connect_url.h"
#include "connect/typed_line.h"

namespace rk::connect {
namespace {

int usage(const std::string& why) {
  std::cerr << "roomkey connect: " << why << "\n";
  return kExitUsage;
}

std::string default_person() {
  const char* user = std::getenv("USER");
  return user && *user ? user : "guest";
}

// The file's text without the blanks and line breaks around it; nullopt if
// it cannot be read or holds nothing else.
std::optional<std::string> read_token_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string footer() {
  std::string text = "Lines typed (or piped in) are sent as messages; a line that starts with / is a command:\n";
  text += command_help();
  text +=
      "Lines typed before the room is entered wait for it. In --v1 mode /loc, /destroy and messages are\n"
      "v1's; /state, /presence and /history need protocol v2.\n"
      "\n"
      "Output: one line per event on stdout: \"joined room KEY as ben (id ...); members: ana, ben\",\n"
      "\"ana joined\", \"ana: hello\", \"ana is at 52.52, 13.405\", \"ana set state {...}\", \"sent (offset 3)\"\n"
      "(each line you send is acked with its offset), \"error CODE: ...\", \"ana left (closed)\", \"room destroyed\".\n"
      "A created room's key is on a line of its own: \"key: KEY\". With --json, stdout has every frame the\n"
      "server sends, one JSON object per line (the first, \"joined\", has the key in \"join\"). Hints and\n"
      "errors go to stderr.\n"
      "\n"
      "The end of input (Ctrl-D, the end of a pipe or file) and /quit: what was typed is sent, its answers\n"
      "(acks, history, ...) are awaited for up to 5 s, then the connection is closed with 1000. SIGINT\n"
      "(Ctrl-C), SIGTERM and SIGHUP close with 1000 at once; a second one, or one before the connection is\n"
      "open, stops without closing (exit status 130). With --listen, stdin is not read: the client stays until\n"
      "the room is destroyed, the server closes or a signal.\n"
      "\n"
      "wss://: the server's certificate must chain to the system's CAs (OpenSSL's SSL_CERT_FILE and\n"
      "SSL_CERT_DIR apply), or to --ca FILE, and name the URL's host (a name, or an IP address).\n"
      "\n"
      "Exit status: 0 after a clean close (yours, or the server's once the room was destroyed); 1 when the\n"
      "connection fails or the server ends it (not_found, room_full, kicked, ...: the reason is on stderr);\n"
      "2 for a usage error (a bad URL, flag or file).\n"
      "\n"
      "Examples:\n"
      "  roomkey connect ws://127.0.0.1:8001 --person ana              # creates a room: \"key: KEY\"\n"
      "  roomkey connect ws://127.0.0.1:8001 --person ben --join KEY   # joins it; type to talk\n"
      "  printf 'hello\\n/loc 52.52 13.405\\n' | roomkey connect wss://rooms.example.org --join KEY --json";
  return text;
}

}  // namespace

ConnectCommand::ConnectCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "connect",
      "A terminal client: create a room (printing its key) or join one, send what is typed, print what arrives");
  command_->add_option("url", url_, "ws://HOST[:PORT][/PATH] or wss://... (TLS); roomkey serves any path")->required();
  command_->add_option("--person", person_, "Your name in the room (default: $USER, else \"guest\")");
  command_->add_option("--join", join_, "Join the room with this key (else create a room and print its key)");
  auto* token = command_->add_option("--token", token_,
                                     "A token (JWT) for a server with --auth-key, sent in the init; the server then "
                                     "names you after it and --person is not needed");
  command_->add_option("--token-file", token_file_, "Read the token from this file (keeps it out of ps)")
      ->check(CLI::ExistingFile)
      ->excludes(token);
  command_
      ->add_option("--ca", ca_file_,
                   "wss://: trust the CA certificate(s) in this PEM file (a private CA, a self-signed "
                   "certificate) instead of the system's; the name in the URL is checked either way")
      ->check(CLI::ExistingFile);
  command_->add_flag("--v1", v1_, "Speak protocol v1 (the original's) instead of v2");
  command_->add_flag("--json", json_, "Print every frame received as is, one JSON object per line (for scripts)");
  command_->add_flag("--listen", listen_, "Do not read stdin: stay in the room until it ends or a signal");
  command_->footer(footer());
}

bool ConnectCommand::parsed() const { return command_->parsed(); }

int ConnectCommand::run() {
  SessionOptions session;
  try {
    session.url = parse_connect_url(url_);
  } catch (const BadUrl& error) {
    return usage(error.what());
  }
  session.url_text = url_;
  if (!ca_file_.empty() && !session.url.tls) return usage("--ca is for wss:// URLs; " + url_ + " is not one");
  session.ca_file = ca_file_;
  session.read_stdin = !listen_;
  session.interactive = session.read_stdin && ::isatty(STDIN_FILENO);

  ClientOptions client;
  client.protocol = v1_ ? Protocol::kV1 : Protocol::kV2;
  client.person = person_.empty() ? default_person() : person_;
  client.json = json_;
  if (command_->count("--join")) {
    if (join_.empty()) return usage("--join needs a key");
    client.join = join_;
  }
  if (command_->count("--token")) {
    if (token_.empty()) return usage("--token is empty");
    client.token = token_;
  }
  if (!token_file_.empty()) {
    auto token = read_token_file(token_file_);
    if (!token) return usage("--token-file " + token_file_ + " holds no token");
    client.token = std::move(*token);
  }

  ClientCore core(std::move(client));
  return run_session(session, core);
}

}  // namespace rk::connect
