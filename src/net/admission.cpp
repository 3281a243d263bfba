#include "net/admission.h"

#include "util/address_key.h"

namespace rk::net {

LimitTicket Admission::admit(const sockaddr_storage& peer, std::string_view& refusal, bool per_address) {
  if (total_.fetch_add(1, std::memory_order_relaxed) >= max_total_) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    refusal = "server at its connection limit";
    return {};
  }
  AddressKey address{};  // all zero ("::", never a peer): not counted per address
  if (max_per_ip_ > 0 && per_address) {
    address = address_key(peer);
    std::lock_guard lock(per_ip_mutex_);
    auto& count = per_ip_[address];
    if (count >= max_per_ip_) {
      total_.fetch_sub(1, std::memory_order_relaxed);
      refusal = kPerAddressRefusal;
      return {};
    }
    ++count;
  }
  return LimitTicket(this, address);
}

void Admission::give_back(const LimitKey& address) {
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (max_per_ip_ == 0 || address == LimitTicket::Key{}) return;
  std::lock_guard lock(per_ip_mutex_);
  const auto it = per_ip_.find(address);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

}  // namespace rk::net
