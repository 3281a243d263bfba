#include "net/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstring>
#include <spdlog/spdlog.h>

namespace rk::net {
namespace {

void notify(const char* state) {
  // 0: keep $NOTIFY_SOCKET, so STOPPING=1 can follow READY=1.
  const int result = sd_notify(0, state);
  if (result < 0) spdlog::warn("sd_notify({}) failed: {}", state, std::strerror(-result));
}

}  // namespace

void notify_ready() { notify("READY=1"); }

void notify_stopping() { notify("STOPPING=1"); }

}  // namespace rk::net
