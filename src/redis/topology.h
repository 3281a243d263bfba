#pragma once
// Which Redis server serves which hash slots: one server for all of them, or
// the masters of a Redis Cluster (asked with CLUSTER SLOTS through any node
// named in the URL).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_url.h"
#include "redis/reply.h"
#include "redis/slot.h"

namespace rk::redis {

class BlockingClient;

class Topology {
 public:
  // One server for every slot.
  static Topology single(const RedisConfig& server);
  // Asks `seed` (connected): a plain Redis gives single(); a cluster node its
  // masters; nothing if it cannot answer now (or the cluster is not ok).
  static std::optional<Topology> discover(BlockingClient& seed, const RedisConfig& config);
  // The same from the reply to CLUSTER SLOTS, however it was sent.
  static std::optional<Topology> from_reply(const redisReply* reply, const RedisConfig& config);

  bool is_cluster() const { return cluster_; }
  const std::vector<RedisConfig>& servers() const { return servers_; }
  // Index into servers() of the one that serves `key`'s slot.
  std::size_t server_of_key(std::string_view key) const { return owner_[key_slot(key)]; }

 private:
  bool cluster_ = false;
  std::vector<RedisConfig> servers_;
  std::vector<std::uint16_t> owner_ = std::vector<std::uint16_t>(kSlots, 0);
};

}  // namespace rk::redis
