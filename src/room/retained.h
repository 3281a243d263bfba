#pragma once
// One publication as a room keeps it: who sent it, when, at which offset, and
// its raw values, in one cache line when they are small (a location's two
// numbers always are). The JSON a v2 client receives is written from this only
// when someone asks (a joiner's state, a resume, a history request): a room
// whose members only speak v1 keeps its history without ever formatting it.
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace rk::room {

enum class Kind : std::uint8_t { kLocation, kMessage, kState };

// A member as its publications remember it, also after it has left. Counted
// by the entries that point to it (one thread only: no atomics).
struct Author {
  std::string id;
  std::string person_json;  // equal names are equal literals: it identifies the person
  std::uint32_t entries = 0;  // log entries pointing here
  bool seated = true;         // still a member
};

class Retained {
 public:
  std::uint64_t offset = 0;
  std::int64_t at_ms = 0;  // server time, Unix milliseconds
  Author* author = nullptr;

  // `first` is a location's latitude or a message's data; `second` a longitude.
  void assign(Kind kind, std::string_view first, std::string_view second) {
    kind_ = kind;
    size_ = static_cast<std::uint32_t>(first.size() + second.size());
    split_ = static_cast<std::uint32_t>(first.size());
    char* out;
    if (size_ <= kInline) {
      heap_.reset();
      out = inline_.data();
    } else {
      out = grow();
    }
    // An empty view may have no data at all (memcpy from null is undefined, even of 0 bytes).
    if (!first.empty()) std::memcpy(out, first.data(), first.size());
    if (!second.empty()) std::memcpy(out + first.size(), second.data(), second.size());
  }
  Kind kind() const { return kind_; }
  std::string_view first() const { return {bytes(), split_}; }
  std::string_view second() const { return {bytes() + split_, size_ - split_}; }
  // Heap bytes beyond the record itself.
  std::size_t heap_bytes() const { return heap_ ? capacity() : 0; }
  void release_heap() {
    heap_.reset();
    size_ = split_ = 0;
  }

 private:
  static constexpr std::size_t kInline = 23;
  const char* bytes() const { return heap_ ? heap_.get() : inline_.data(); }
  // While the bytes live on the heap, the inline space holds its capacity.
  std::uint32_t capacity() const {
    std::uint32_t value;
    std::memcpy(&value, inline_.data(), sizeof value);
    return value;
  }
  char* grow() {
    if (!heap_ || capacity() < size_) {
      heap_ = std::make_unique_for_overwrite<char[]>(size_);
      std::memcpy(inline_.data(), &size_, sizeof size_);
    }
    return heap_.get();
  }

  std::uint32_t size_ = 0, split_ = 0;
  Kind kind_ = Kind::kMessage;
  std::array<char, kInline> inline_{};
  std::unique_ptr<char[]> heap_;
};

static_assert(sizeof(Retained) == 64, "one cache line");

}  // namespace rk::room
