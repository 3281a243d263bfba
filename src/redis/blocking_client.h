#pragma once
// One blocking connection to Redis, for a thread of its own (the room store's):
// connect with timeouts, AUTH and SELECT, then pipelines: every command of a
// batch in one write, every reply read after.
//
// Outages are expected, not fatal: a failed pipeline drops the connection,
// and the next call reconnects (at most once a second while Redis stays down).
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_url.h"
#include "redis/reply.h"

struct redisContext;

namespace rk::redis {

// Redis answered, and said no to our credentials or database: retrying will
// not help.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class BlockingClient {
 public:
  // `role` names the client in log lines ("room store"). A quiet client logs
  // outages at debug level only (its user reports them).
  BlockingClient(RedisConfig config, std::string role, bool quiet = false);
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  // Connects now. Throws ConfigurationError if Redis refuses the password or
  // the database; an unreachable Redis is not an error (it is retried).
  bool connect_at_startup();
  // Sends `commands` (`count` RESP commands, see RespWriter) and returns their
  // replies in order, or nothing if Redis could not be reached or the
  // connection broke meanwhile (then the fate of writes is unknown).
  std::optional<std::vector<ReplyPtr>> run(std::string_view commands, std::size_t count);
  std::string describe() const { return "redis://" + config_.where() + "/" + std::to_string(config_.database); }

 private:
  bool connect(bool at_startup);
  void disconnect();
  bool handshake(bool at_startup);
  void note_down(std::string_view why);

  RedisConfig config_;
  std::string role_;
  bool quiet_;
  redisContext* context_ = nullptr;
  bool was_down_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace rk::redis
