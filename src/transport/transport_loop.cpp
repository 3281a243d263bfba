#include "transport/transport_loop.h"

#include <algorithm>

#include "transport/transport.h"

namespace rk::transport {

TransportLoop::TransportLoop(loop::EventLoop& loop) : loop(loop), read_buffer(64 * 1024) {
  loop.on_events_dispatched([this] {
    if (readable_.empty()) return;
    if (readable_.size() > 1) return read_batches();
    Transport* only = readable_.front();  // one recv is one system call either way
    readable_.clear();
    only->read_available();
  });
}

void TransportLoop::forget(Transport* transport) {
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), transport), dirty_.end());
  readable_.erase(std::remove(readable_.begin(), readable_.end(), transport), readable_.end());
}

void TransportLoop::flush_all() {
  while (!dirty_.empty()) {
    flushing_.swap(dirty_);
    // One socket gains nothing from a batch: its sendmsg is one system call either way.
    if (batching() && flushing_.size() > 1) {
      flush_batches();
    } else {
      for (Transport* transport : flushing_) transport->flush();
    }
    flushing_.clear();
  }
}

}  // namespace rk::transport
