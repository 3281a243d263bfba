#include "net/admission.h"

#include <netinet/in.h>

#include <cstring>
#include <functional>

namespace rk::net {
namespace {

// IPv4 as its IPv4-mapped IPv6 form, so a host counts once either way.
LimitTicket::Key address_key(const sockaddr_storage& peer) {
  LimitTicket::Key key{};
  if (peer.ss_family == AF_INET) {
    key[10] = key[11] = 0xff;
    std::memcpy(key.data() + 12, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, 4);
  } else if (peer.ss_family == AF_INET6) {
    std::memcpy(key.data(), &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
  }
  return key;
}

}  // namespace

std::size_t Admission::KeyHash::operator()(const LimitTicket::Key& key) const {
  return std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

LimitTicket Admission::admit(const sockaddr_storage& peer, std::string_view& refusal) {
  if (total_.fetch_add(1, std::memory_order_relaxed) >= max_total_) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    refusal = "server at its connection limit";
    return {};
  }
  LimitTicket::Key address{};
  if (max_per_ip_ > 0) {
    address = address_key(peer);
    std::lock_guard lock(per_ip_mutex_);
    auto& count = per_ip_[address];
    if (count >= max_per_ip_) {
      total_.fetch_sub(1, std::memory_order_relaxed);
      refusal = "too many connections from this address";
      return {};
    }
    ++count;
  }
  return LimitTicket(this, &Admission::give_back, address);
}

void Admission::give_back(void* admission, const LimitTicket::Key& address) {
  static_cast<Admission*>(admission)->release(address);
}

void Admission::release(const LimitTicket::Key& address) {
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (max_per_ip_ == 0) return;
  std::lock_guard lock(per_ip_mutex_);
  const auto it = per_ip_.find(address);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

}  // namespace rk::net
