#pragma once
// Who may connect: at most --max-connections in the process and, if set,
// --max-connections-per-ip from one address. Shared by all loops; touched once
// per accept and once per close, never per message. It must outlive every
// ticket it hands out (the server creates it before the workers).
#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "util/address_key.h"
#include "util/limit_ticket.h"

namespace rk::net {

inline constexpr std::string_view kPerAddressRefusal = "too many connections from this address";

class Admission final : public Limit {
 public:
  Admission(std::size_t max_total, std::size_t max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // Counts the connection in and returns a ticket that counts it out when
  // destroyed, or an empty one (and `refusal` says why) when a limit is reached.
  // `per_address` false: a trusted proxy, whose own address is not limited
  // (the client's is, once known: admit it then and drop this ticket).
  LimitTicket admit(const sockaddr_storage& peer, std::string_view& refusal, bool per_address = true);
  // Which limit a refusal of admit() was, for /metrics.
  static bool is_per_address(std::string_view refusal) { return refusal == kPerAddressRefusal; }

 private:
  void give_back(const LimitKey& address) override;

  const std::size_t max_total_;
  const std::size_t max_per_ip_;
  std::atomic<std::size_t> total_{0};
  std::mutex per_ip_mutex_;  // only with a per-IP limit, only at accept and close
  std::unordered_map<AddressKey, std::size_t, AddressKeyHash> per_ip_;
};

}  // namespace rk::net
