#pragma once
// Redis room store: one hash per room (roomkey:{KEY}:room) with its owner,
// creation and last use. A key is acknowledged once Redis has answered the
// write; how durable that is depends on Redis's own persistence (AOF
// `appendfsync always` or `everysec`: docs/operations.md).
//
// --room-ttl is Redis's own key expiry, renewed on each recorded use, so there
// is nothing to sweep: the runner re-counts rooms instead (--max-rooms).
//
// On a Redis Cluster, each request goes to the master that holds its room's
// slot (learnt with CLUSTER SLOTS, learnt again after a MOVED).
//
// The admin's side (RoomCatalog: SCAN of every master, imports) is in
// redis_catalog.cpp.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/blocking_client.h"
#include "redis/topology.h"
#include "store/room_catalog.h"
#include "store/room_store.h"

namespace rk::store {

class RedisBackend final : public StoreBackend, public RoomCatalog {
 public:
  // Connects at once; throws StoreOpenError if Redis refuses the credentials.
  RedisBackend(redis::RedisConfig config, std::int64_t room_ttl_s);

  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override;
  std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) override;
  bool expires_by_itself() const override { return true; }
  std::string describe() const override;

  void for_each_room(const std::function<void(const RoomRecord&)>& each) override;
  // With a room TTL, each room expires that long after its last use (as a
  // room the server touched would); one already past it is not written.
  std::vector<InsertOutcome> insert_rooms(std::span<const RoomRecord> rooms) override;
  std::uint64_t room_count() override;

 private:
  void append(const StoreRequest& request);
  static StoreStatus status_of(const StoreRequest& request, const redisReply* reply);
  bool learn_topology();
  void run_on(std::size_t server, std::span<StoreRequest> requests, const std::vector<std::size_t>& which);
  redis::BlockingClient& client_of(std::size_t server) { return topology_->is_cluster() ? *masters_[server] : seed_; }
  std::size_t server_count() const { return topology_->is_cluster() ? masters_.size() : 1; }
  void learn_topology_for_admin();
  std::vector<redis::ReplyPtr> run_for_admin(std::size_t server, std::size_t count, std::string_view what);
  void read_rooms(std::size_t server, const redisReply* keys, const std::function<void(const RoomRecord&)>& each);

  const redis::RedisConfig config_;
  redis::BlockingClient seed_;
  std::optional<redis::Topology> topology_;
  std::vector<std::unique_ptr<redis::BlockingClient>> masters_;  // a Redis Cluster's, by topology index
  const std::int64_t room_ttl_s_;
  std::string commands_;  // a pipeline, reused
};

}  // namespace rk::store
