#pragma once
// What a new connection sends before anything else: AUTH (with the ACL user,
// if any) and SELECT as configured, then a PING, so that the last answer
// says the connection is ready.
#include <cstddef>
#include <string>

#include "redis/redis_url.h"
#include "redis/resp_writer.h"

namespace rk::redis {

// Appends the commands to `out`; returns how many answers to expect.
inline std::size_t write_handshake(const RedisConfig& config, std::string& out) {
  RespWriter writer(out);
  std::size_t commands = 0;
  if (config.password_given) {
    if (config.user.empty()) {
      writer.all({"AUTH", config.password});
    } else {
      writer.all({"AUTH", config.user, config.password});
    }
    ++commands;
  }
  if (config.database != 0) {
    writer.command(2).arg("SELECT").arg(static_cast<std::int64_t>(config.database));
    ++commands;
  }
  writer.all({"PING"});
  return commands + 1;
}

}  // namespace rk::redis
