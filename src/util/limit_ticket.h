#pragma once
// A place taken in a limit (a connection counted against --max-connections
// and its source address's share), given back when the ticket is destroyed.
// Move-only and allocation-free: every connection holds one, so it costs 32
// bytes in place rather than a shared_ptr control block on the heap.
#include <array>
#include <cstdint>
#include <utility>

namespace rk {

class LimitTicket {
 public:
  using Key = std::array<std::uint8_t, 16>;  // e.g. an AddressKey
  using GiveBack = void (*)(void* limit, const Key& key);

  LimitTicket() = default;
  LimitTicket(void* limit, GiveBack give_back, const Key& key) : limit_(limit), give_back_(give_back), key_(key) {}
  LimitTicket(LimitTicket&& other) noexcept
      : limit_(std::exchange(other.limit_, nullptr)), give_back_(other.give_back_), key_(other.key_) {}
  LimitTicket& operator=(LimitTicket&& other) noexcept {
    if (this != &other) {
      release();
      limit_ = std::exchange(other.limit_, nullptr);
      give_back_ = other.give_back_;
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
    if (limit_) give_back_(std::exchange(limit_, nullptr), key_);
  }

  void* limit_ = nullptr;
  GiveBack give_back_ = nullptr;
  Key key_{};
};

}  // namespace rk
