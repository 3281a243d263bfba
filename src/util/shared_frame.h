#pragma once
// A complete outgoing wire unit (WebSocket frame header + payload, or an HTTP
// response), built once and shared by pointer with every connection that
// sends it: fan-out copies a pointer per recipient, never the bytes.
#include <memory>
#include <string>

namespace rk {

using FramePtr = std::shared_ptr<const std::string>;

inline FramePtr share_frame(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace rk
