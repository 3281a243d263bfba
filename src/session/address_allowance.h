#pragma once
// An allowance per source address: `per_minute` tokens a minute, in bursts of
// that many (a token bucket per address). Two use it: the key-guessing guard
// (a join with an unknown key spends a token; once they are used up every
// join from that address is refused until one refills, valid keys included,
// so a guesser learns nothing meanwhile) and the create limit (each create
// takes one). Shared by all loops; touched once per join or create attempt,
// never per message, through one of several independently locked shards.
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

class AddressAllowance {
 public:
  using Clock = std::chrono::steady_clock;
  // per_minute 0: no limit.
  explicit AddressAllowance(unsigned per_minute) : per_minute_(per_minute) {}

  // Whether `address` has a token left now.
  bool has_token(const GuardedAddress& address, Clock::time_point now);
  // Spends one of `address`'s tokens (none left: stays at none).
  void spend(const GuardedAddress& address, Clock::time_point now);
  // Spends a token if there is one; false if none is left.
  bool take(const GuardedAddress& address, Clock::time_point now);

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
  Bucket& bucket_of(Shard& shard, const GuardedAddress& address, Clock::time_point now);

  const unsigned per_minute_;
  std::array<Shard, kShards> shards_;
};

}  // namespace rk::session
