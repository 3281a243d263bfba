#include "net/admission.h"

#include <netinet/in.h>

namespace rk::net {
namespace {

std::string address_bytes(const sockaddr_storage& peer) {
  if (peer.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(peer);
    return std::string(reinterpret_cast<const char*>(&v4.sin_addr), sizeof v4.sin_addr);
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(peer);
  return std::string(reinterpret_cast<const char*>(&v6.sin6_addr), sizeof v6.sin6_addr);
}

}  // namespace

std::shared_ptr<void> Admission::admit(const sockaddr_storage& peer, std::string_view& refusal) {
  if (total_.fetch_add(1, std::memory_order_relaxed) >= max_total_) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    refusal = "server at its connection limit";
    return nullptr;
  }
  std::string address;
  if (max_per_ip_ > 0) {
    address = address_bytes(peer);
    std::lock_guard lock(per_ip_mutex_);
    auto& count = per_ip_[address];
    if (count >= max_per_ip_) {
      if (count == 0) per_ip_.erase(address);
      total_.fetch_sub(1, std::memory_order_relaxed);
      refusal = "too many connections from this address";
      return nullptr;
    }
    ++count;
  }
  // Non-null (a null shared_ptr tests false): it points at this Admission,
  // which the ticket also keeps alive.
  auto self = shared_from_this();
  return std::shared_ptr<void>(self.get(),
                               [self, address = std::move(address)](void*) { self->release(address); });
}

void Admission::release(const std::string& address) {
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (max_per_ip_ == 0) return;
  std::lock_guard lock(per_ip_mutex_);
  const auto it = per_ip_.find(address);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

}  // namespace rk::net
