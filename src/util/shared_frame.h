#pragma once
// A complete outgoing wire unit (WebSocket frame header + payload, or an HTTP
// response), built once and shared by pointer with every connection that
// sends it: fan-out copies a pointer per recipient, never the bytes.
//
// One allocation holds the count and the bytes (a shared_ptr<string> took
// two, and malloc showed in the fan-out profile), from frame_memory's
// per-thread blocks when small. The count is atomic so that a frame may be
// handed to another thread (a connection moving loops).
#include <atomic>
#include <boost/smart_ptr/intrusive_ptr.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include "util/frame_memory.h"

namespace rk {

class OutboundFrame {
 public:
  std::size_t size() const { return size_; }
  // The bytes follow the object in the same allocation.
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  char* mutable_data() { return reinterpret_cast<char*>(this + 1); }  // only while building
  std::string_view view() const { return {data(), size_}; }

  // Uninitialised bytes, to be filled before the frame is shared.
  static boost::intrusive_ptr<OutboundFrame> allocate(std::size_t size) {
    void* memory = frame_memory::take(sizeof(OutboundFrame) + size);
    return boost::intrusive_ptr<OutboundFrame>(new (memory) OutboundFrame(size));
  }

  friend void intrusive_ptr_add_ref(const OutboundFrame* frame) {
    frame->references_.fetch_add(1, std::memory_order_relaxed);
  }
  friend void intrusive_ptr_release(const OutboundFrame* frame) {
    if (frame->references_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      const std::size_t bytes = sizeof(OutboundFrame) + frame->size_;
      frame->~OutboundFrame();
      frame_memory::give(const_cast<OutboundFrame*>(frame), bytes);
    }
  }

 private:
  explicit OutboundFrame(std::size_t size) : size_(size) {}
  mutable std::atomic<std::uint32_t> references_{0};
  std::size_t size_;
};

using FramePtr = boost::intrusive_ptr<const OutboundFrame>;

inline FramePtr share_frame(std::string_view bytes) {
  auto frame = OutboundFrame::allocate(bytes.size());
  std::memcpy(frame->mutable_data(), bytes.data(), bytes.size());
  return frame;
}

}  // namespace rk
