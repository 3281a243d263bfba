#pragma once
// Tells systemd (a `Type=notify` unit) how the service is doing, through
// sd_notify(3). Without $NOTIFY_SOCKET (not started by systemd) each call
// does nothing.

namespace rk::net {

// The port accepts connections and the store is open.
void notify_ready();

// Shutdown has begun (SIGTERM/SIGINT): clients are being closed.
void notify_stopping();

}  // namespace rk::net
