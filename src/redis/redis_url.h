#pragma once
// Where a Redis server is: `--store redis://...` and `--cluster redis://...`.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rk::redis {

struct RedisConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string unix_socket;  // when set, host and port are not used
  std::string user;         // Redis 6 ACL user; empty: the default user
  std::string password;     // empty: no AUTH
  bool password_given = false;
  int database = 0;  // SELECT; must be 0 on a Redis Cluster
  int connect_timeout_ms = 2000;
  // A reply slower than this counts as an outage (a stopped or overloaded
  // Redis): the request fails rather than holding its thread.
  int io_timeout_ms = 3000;

  // host:port or unix:PATH, for messages (never the password).
  std::string where() const;
};

class UrlError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Accepts
//   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
//   redis+unix://[[USER]:PASSWORD@]/PATH/TO/redis.sock[?db=DB]
// with %XX escapes in USER and PASSWORD; an IPv6 HOST goes in brackets.
// Throws UrlError naming what is wrong.
RedisConfig parse_redis_url(std::string_view url);

inline bool is_redis_url(std::string_view spec) {
  return spec.starts_with("redis://") || spec.starts_with("redis+unix://");
}

}  // namespace rk::redis
