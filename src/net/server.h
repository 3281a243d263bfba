#pragma once
// `roomkey serve`: opens the store, listens, runs the loop until SIGTERM or
// SIGINT, then closes every connection with 1001 and lets the store finish.
#include "config/settings.h"

namespace rk::net {

// Returns the process exit code.
int serve(const config::Settings& settings);

}  // namespace rk::net
