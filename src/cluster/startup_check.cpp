#include "cluster/startup_check.h"

#include <random>
#include <spdlog/spdlog.h>

#include "redis/blocking_client.h"
#include "redis/resp_writer.h"

namespace rk::cluster {

std::string check_redis(const redis::RedisConfig& config) {
  redis::BlockingClient client(config, "cluster");
  try {
    if (!client.connect_at_startup()) return {};  // logged; the bus retries
  } catch (const redis::ConfigurationError& error) {
    return error.what();
  }
  std::string command;
  redis::RespWriter(command).all({"COMMAND", "INFO", "SPUBLISH"});
  const auto replies = client.run(command, 1);
  if (!replies) return {};
  const redisReply* reply = replies->front().get();
  const bool known = reply && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
                     reply->element[0]->type == REDIS_REPLY_ARRAY;
  if (!known)
    return "Redis at " + config.where() + " has no sharded pub/sub (SPUBLISH): cluster mode needs Redis 7 or later";
  return {};
}

std::string new_node_id() {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 35);
  std::string id;
  for (int i = 0; i < 8; ++i) id.push_back(kDigits[digit(random)]);
  return id;
}

}  // namespace rk::cluster
