#pragma once
// A place taken in a limit (a connection counted against --max-connections
// and its source address's share), given back when the ticket is destroyed.
// Move-only and allocation-free: every connection holds one, so it costs 24
// bytes in place (the limit and the key it was counted under) rather than a
// shared_ptr control block on the heap.
#include <array>
#include <cstdint>
#include <utility>

namespace rk {

using LimitKey = std::array<std::uint8_t, 16>;  // e.g. an AddressKey

// What hands out tickets, and takes the places back.
class Limit {
 public:
  virtual void give_back(const LimitKey& key) = 0;

 protected:
  ~Limit() = default;
};

class LimitTicket {
 public:
  using Key = LimitKey;

  LimitTicket() = default;
  LimitTicket(Limit* limit, const Key& key) : limit_(limit), key_(key) {}
  LimitTicket(LimitTicket&& other) noexcept : limit_(std::exchange(other.limit_, nullptr)), key_(other.key_) {}
  LimitTicket& operator=(LimitTicket&& other) noexcept {
    if (this != &other) {
      release();
      limit_ = std::exchange(other.limit_, nullptr);
      key_ = other.key_;
    }
    return *this;
  }
  LimitTicket(const LimitTicket&) = delete;
  LimitTicket& operator=(const LimitTicket&) = delete;
  ~LimitTicket() { release(); }

  explicit operator bool() const { return limit_ != nullptr; }

 private:
  void release() {
    if (limit_) std::exchange(limit_, nullptr)->give_back(key_);
  }

  Limit* limit_ = nullptr;
  Key key_{};
};

}  // namespace rk
