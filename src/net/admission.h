#pragma once
// Who may connect: at most --max-connections in the process and, if set,
// --max-connections-per-ip from one address. Shared by all loops; touched once
// per accept and once per close, never per message.
#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rk::net {

class Admission : public std::enable_shared_from_this<Admission> {
 public:
  Admission(std::size_t max_total, std::size_t max_per_ip) : max_total_(max_total), max_per_ip_(max_per_ip) {}

  // Counts the connection in and returns a ticket that counts it out when
  // destroyed, or null (and `refusal` says why) when a limit is reached.
  std::shared_ptr<void> admit(const sockaddr_storage& peer, std::string_view& refusal);

 private:
  void release(const std::string& address);

  const std::size_t max_total_;
  const std::size_t max_per_ip_;
  std::atomic<std::size_t> total_{0};
  std::mutex per_ip_mutex_;  // only with a per-IP limit, only at accept and close
  std::unordered_map<std::string, std::size_t> per_ip_;
};

}  // namespace rk::net
