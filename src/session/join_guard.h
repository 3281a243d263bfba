#pragma once
// Keeps guessing room keys slow: each source address may join with an unknown
// key `per_minute` times a minute (a token bucket holding that many). Once it
// is used up, every join from that address is refused until a token refills,
// valid keys included, so a guesser learns nothing meanwhile. Shared by all
// loops; touched once per join attempt, never per message, through one of
// several independently locked shards.
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "util/address_key.h"

namespace rk::session {

// A source address as the guard counts it: IPv4 whole, IPv6 by its /64 (one
// host usually holds a whole /64, so single IPv6 addresses are free to it).
struct GuardedAddress {
  AddressKey bytes{};
  bool operator==(const GuardedAddress&) const = default;
  static GuardedAddress of(const sockaddr_storage& peer);
};

class JoinGuard {
 public:
  using Clock = std::chrono::steady_clock;
  explicit JoinGuard(unsigned per_minute) : per_minute_(per_minute) {}

  // Whether `address` may try a join now.
  bool may_join(const GuardedAddress& address, Clock::time_point now);
  // A join from `address` named a key that does not exist.
  void failed(const GuardedAddress& address, Clock::time_point now);

  // Addresses tracked right now (for tests).
  std::size_t tracked();

 private:
  struct Bucket {
    double tokens;
    Clock::time_point refilled;
  };
  struct Hash {
    std::size_t operator()(const GuardedAddress& address) const { return AddressKeyHash{}(address.bytes); }
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<GuardedAddress, Bucket, Hash> buckets;
  };
  static constexpr std::size_t kShards = 16;
  // A shard this big drops the buckets that have refilled (they hold nothing
  // a fresh bucket would not).
  static constexpr std::size_t kPruneAbove = 4096;

  Shard& shard_of(const GuardedAddress& address) { return shards_[Hash{}(address) % kShards]; }
  double refill(Bucket& bucket, Clock::time_point now) const;
  void prune(Shard& shard, Clock::time_point now);

  const unsigned per_minute_;
  std::array<Shard, kShards> shards_;
};

}  // namespace rk::session
