#pragma once
// A byte buffer that costs one pointer until it holds something, and frees
// its memory when emptied: for the buffers every connection has and few use
// (a frame split across reads, a fragmented message). A std::string in place
// would cost 32 bytes on each idle connection.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace rk {

class LazyString {
 public:
  bool empty() const { return !bytes_ || bytes_->empty(); }
  std::size_t size() const { return bytes_ ? bytes_->size() : 0; }
  char* data() { return bytes_ ? bytes_->data() : nullptr; }
  std::string_view view() const { return bytes_ ? std::string_view(*bytes_) : std::string_view(); }

  void assign(std::string_view bytes) { text().assign(bytes); }
  void append(std::string_view bytes) { text().append(bytes); }
  // Drops the first `count` bytes; frees the memory if nothing is left.
  void erase_front(std::size_t count) {
    if (!bytes_) return;
    if (count >= bytes_->size()) return clear();
    bytes_->erase(0, count);
  }
  void clear() { bytes_.reset(); }

 private:
  std::string& text() {
    if (!bytes_) bytes_ = std::make_unique<std::string>();
    return *bytes_;
  }

  std::unique_ptr<std::string> bytes_;
};

}  // namespace rk
