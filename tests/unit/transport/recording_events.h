#pragma once
// What a transport reports, recorded for the transport tests. An overflow
// is answered as a connection does: drop what is unsent, queue a close.
#include <string>

#include "transport/transport.h"

namespace rk::transport::testing {

struct RecordingEvents : TransportEvents {
  Transport* transport = nullptr;
  std::string received;
  int closed = 0;
  int overflows = 0;
  void on_received(char* data, std::size_t size) override { received.append(data, size); }
  void on_transport_closed() override {
    ++closed;
    transport->close();
  }
  void on_proxy_source(const sockaddr_storage*) override {}
  void on_outbound_overflow() override {
    ++overflows;
    transport->discard_unsent();
    transport->send_unbounded(share_frame("close"));
  }
};

}  // namespace rk::transport::testing
