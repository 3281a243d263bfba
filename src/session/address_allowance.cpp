#include "session/address_allowance.h"

#include <algorithm>
#include <iterator>

namespace rk::session {

GuardedAddress GuardedAddress::of(const sockaddr_storage& peer) {
  GuardedAddress address{rk::address_key(peer)};
  // One host usually holds a whole IPv6 /64: count the prefix.
  if (!is_ipv4_mapped(address.bytes)) std::fill(address.bytes.begin() + 8, address.bytes.end(), 0);
  return address;
}

double AddressAllowance::refill(Bucket& bucket, Clock::time_point now) const {
  // Loops cache their own `now`, so another loop's may be a little behind.
  if (now <= bucket.refilled) return bucket.tokens;
  const double per_second = per_minute_ / 60.0;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min<double>(per_minute_, bucket.tokens + elapsed * per_second);
  bucket.refilled = now;
  return bucket.tokens;
}

bool AddressAllowance::has_token(const GuardedAddress& address, Clock::time_point now) {
  if (per_minute_ == 0) return true;
  Shard& shard = shard_of(address);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.buckets.find(address);
  return it == shard.buckets.end() || refill(it->second, now) >= 1;
}

AddressAllowance::Bucket& AddressAllowance::bucket_of(Shard& shard, const GuardedAddress& address,
                                                      Clock::time_point now) {
  if (shard.buckets.size() > kPruneAbove) prune(shard, now);
  const auto [it, fresh] = shard.buckets.try_emplace(address, Bucket{static_cast<double>(per_minute_), now});
  if (!fresh) refill(it->second, now);
  return it->second;
}

void AddressAllowance::spend(const GuardedAddress& address, Clock::time_point now) {
  if (per_minute_ == 0) return;
  Shard& shard = shard_of(address);
  std::lock_guard lock(shard.mutex);
  Bucket& bucket = bucket_of(shard, address, now);
  bucket.tokens = std::max(0.0, bucket.tokens - 1);
}

bool AddressAllowance::take(const GuardedAddress& address, Clock::time_point now) {
  if (per_minute_ == 0) return true;
  Shard& shard = shard_of(address);
  std::lock_guard lock(shard.mutex);
  Bucket& bucket = bucket_of(shard, address, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

void AddressAllowance::prune(Shard& shard, Clock::time_point now) {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    it = refill(it->second, now) >= per_minute_ ? shard.buckets.erase(it) : std::next(it);
  }
}

std::size_t AddressAllowance::tracked() {
  std::size_t count = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    count += shard.buckets.size();
  }
  return count;
}

}  // namespace rk::session
