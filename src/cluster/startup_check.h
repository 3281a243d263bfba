#pragma once
// Before a node starts: is the --cluster Redis one roomkey can use?
#include <string>

#include "redis/redis_url.h"

namespace rk::cluster {

// Empty if usable, or unreachable for now (the bus keeps trying); else why
// not: credentials refused, or a Redis without sharded pub/sub (before 7.0).
std::string check_redis(const redis::RedisConfig& config);

// A new id for this process among the nodes: 8 random base-36 characters.
std::string new_node_id();

}  // namespace rk::cluster
