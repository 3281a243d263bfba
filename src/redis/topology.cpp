#include "redis/topology.h"

#include "redis/blocking_client.h"
#include "redis/resp_writer.h"

namespace rk::redis {

Topology Topology::single(const RedisConfig& server) {
  Topology topology;
  topology.servers_.push_back(server);
  return topology;
}

std::optional<Topology> Topology::discover(BlockingClient& seed, const RedisConfig& config) {
  std::string command;
  RespWriter(command).all({"CLUSTER", "SLOTS"});
  const auto replies = seed.run(command, 1);
  if (!replies) return std::nullopt;
  return from_reply(replies->front().get(), config);
}

std::optional<Topology> Topology::from_reply(const redisReply* reply, const RedisConfig& config) {
  if (!reply) return std::nullopt;
  if (is_error(reply)) {
    // "ERR This instance has cluster support disabled": a plain Redis.
    if (text_of(reply).find("cluster support disabled") != std::string_view::npos) return single(config);
    return std::nullopt;
  }
  if (reply->type != REDIS_REPLY_ARRAY) return std::nullopt;
  Topology topology;
  topology.cluster_ = true;
  std::size_t covered = 0;
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* range = reply->element[i];
    if (range->type != REDIS_REPLY_ARRAY || range->elements < 3) return std::nullopt;
    const redisReply* master = range->element[2];
    if (master->type != REDIS_REPLY_ARRAY || master->elements < 2) return std::nullopt;
    RedisConfig server = config;  // same credentials and timeouts
    server.unix_socket.clear();
    server.host = std::string(text_of(master->element[0]));
    if (server.host.empty()) server.host = config.host;  // "": the node we asked
    server.port = static_cast<std::uint16_t>(master->element[1]->integer);
    std::size_t index = 0;
    while (index < topology.servers_.size() &&
           (topology.servers_[index].host != server.host || topology.servers_[index].port != server.port))
      ++index;
    if (index == topology.servers_.size()) topology.servers_.push_back(server);
    const auto first = range->element[0]->integer, last = range->element[1]->integer;
    if (first < 0 || last >= kSlots || first > last) return std::nullopt;
    for (auto slot = first; slot <= last; ++slot) topology.owner_[static_cast<std::size_t>(slot)] = static_cast<std::uint16_t>(index);
    covered += static_cast<std::size_t>(last - first + 1);
  }
  if (covered != kSlots || topology.servers_.empty()) return std::nullopt;  // not every slot is served yet
  return topology;
}

}  // namespace rk::redis
