#include "transport/transport_loop.h"

#include <algorithm>

#include "transport/transport.h"

namespace rk::transport {

void TransportLoop::forget(Transport* transport) {
  dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), transport), dirty_.end());
}

void TransportLoop::flush_all() {
  while (!dirty_.empty()) {
    flushing_.swap(dirty_);
    for (Transport* transport : flushing_) transport->flush();
    flushing_.clear();
  }
}

}  // namespace rk::transport
