#pragma once
// Redis room store: one hash per room (roomkey:{KEY}:room) with its owner,
// creation and last use. A key is acknowledged once Redis has answered the
// write; how durable that is depends on Redis's own persistence (AOF
// `appendfsync always` or `everysec`: docs/operations.md).
//
// --room-ttl is Redis's own key expiry, renewed on each recorded use, so there
// is nothing to sweep: the runner re-counts rooms instead (--max-rooms).
#include <string>

#include "redis/blocking_client.h"
#include "store/room_store.h"

namespace rk::store {

class RedisBackend final : public StoreBackend {
 public:
  // Connects at once; throws StoreOpenError if Redis refuses the credentials.
  RedisBackend(redis::RedisConfig config, std::int64_t room_ttl_s);

  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override;
  std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) override;
  bool expires_by_itself() const override { return true; }
  std::string describe() const override { return client_.describe(); }

 private:
  void append(const StoreRequest& request);
  static StoreStatus status_of(const StoreRequest& request, const redisReply* reply);

  redis::BlockingClient client_;
  const std::int64_t room_ttl_s_;
  std::string commands_;  // the batch's pipeline, reused
};

}  // namespace rk::store
