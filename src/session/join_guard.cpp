#include "session/join_guard.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string_view>

namespace rk::session {

GuardedAddress GuardedAddress::of(const sockaddr_storage& peer) {
  GuardedAddress address;
  if (peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
    std::memcpy(address.bytes.data(), &v4.sin_addr, sizeof v4.sin_addr);
  } else if (peer.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v6.sin6_addr);
    static constexpr std::uint8_t kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kV4Mapped, sizeof kV4Mapped) == 0) {
      std::memcpy(address.bytes.data(), bytes + 12, 4);  // the same host as over IPv4
    } else {
      std::memcpy(address.bytes.data(), bytes, 8);
      address.bytes[15] = 6;  // never equal to an IPv4 address
    }
  }
  return address;
}

std::size_t JoinGuard::Hash::operator()(const GuardedAddress& address) const {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(address.bytes.data()), address.bytes.size()));
}

double JoinGuard::refill(Bucket& bucket, Clock::time_point now) const {
  // Loops cache their own `now`, so another loop's may be a little behind.
  if (now <= bucket.refilled) return bucket.tokens;
  const double per_second = per_minute_ / 60.0;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min<double>(per_minute_, bucket.tokens + elapsed * per_second);
  bucket.refilled = now;
  return bucket.tokens;
}

bool JoinGuard::may_join(const GuardedAddress& address, Clock::time_point now) {
  if (per_minute_ == 0) return true;
  Shard& shard = shard_of(address);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.buckets.find(address);
  return it == shard.buckets.end() || refill(it->second, now) >= 1;
}

void JoinGuard::failed(const GuardedAddress& address, Clock::time_point now) {
  if (per_minute_ == 0) return;
  Shard& shard = shard_of(address);
  std::lock_guard lock(shard.mutex);
  if (shard.buckets.size() > kPruneAbove) prune(shard, now);
  const auto [it, fresh] = shard.buckets.try_emplace(address, Bucket{static_cast<double>(per_minute_), now});
  if (!fresh) refill(it->second, now);
  it->second.tokens = std::max(0.0, it->second.tokens - 1);
}

void JoinGuard::prune(Shard& shard, Clock::time_point now) {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    it = refill(it->second, now) >= per_minute_ ? shard.buckets.erase(it) : std::next(it);
  }
}

std::size_t JoinGuard::tracked() {
  std::size_t count = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    count += shard.buckets.size();
  }
  return count;
}

}  // namespace rk::session
