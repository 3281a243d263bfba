#pragma once
// The I/O of `roomkey connect`: one WebSocket connection (Boost.Beast, over
// TCP or TLS) driven by a ClientCore, standard input read by StdinLines,
// SIGINT, SIGTERM and SIGHUP; all on one io_context on the calling thread.
#include <string>

#include "connect/client_core.h"
#include "connect/connect_url.h"

namespace rk::connect {

struct SessionOptions {
  ConnectUrl url;
  std::string url_text;      // as given, for hints
  std::string ca_file;       // wss://: trust only this CA bundle; empty: the system's CAs
  bool read_stdin = true;    // false: stay until the server closes or a signal (--listen)
  bool interactive = false;  // stdin is a terminal: hints on stderr
};

// Exit codes, as documented in `roomkey connect --help`.
inline constexpr int kExitClean = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;

// Connects, enters the room, relays until the end; returns the exit code.
int run_session(const SessionOptions& options, ClientCore& core);

}  // namespace rk::connect
