#include "session/loop_metrics.h"

namespace rk::session {

const char* label_of(Limit limit) {
  switch (limit) {
    case Limit::kConnections:
      return "connections";
    case Limit::kConnectionsPerIp:
      return "connections_per_ip";
    case Limit::kRoomMembers:
      return "room_members";
    case Limit::kRooms:
      return "rooms";
    case Limit::kCreatesPerMinute:
      return "creates_per_minute";
    case Limit::kFailedJoins:
      return "failed_joins_per_minute";
    case Limit::kMessagesPerSecond:
      return "messages_per_second";
    case Limit::kMessageBytes:
      return "message_bytes";
    case Limit::kCount:
      break;
  }
  return "other";
}

LoopCounters& LoopCounters::operator+=(const LoopCounters& other) {
  connections_accepted += other.connections_accepted;
  messages_received += other.messages_received;
  deliveries += other.deliveries;
  slow_consumers_dropped += other.slow_consumers_dropped;
  for (std::size_t i = 0; i < refused.size(); ++i) refused[i] += other.refused[i];
  for (const auto& [code, count] : other.closes_by_server) closes_by_server[code] += count;
  for (const auto& [code, count] : other.closes_by_client) closes_by_client[code] += count;
  return *this;
}

MetricsSnapshot& MetricsSnapshot::operator+=(const MetricsSnapshot& other) {
  counters += other.counters;
  connections_http += other.connections_http;
  connections_v1 += other.connections_v1;
  connections_v2 += other.connections_v2;
  rooms += other.rooms;
  bytes_received += other.bytes_received;
  bytes_sent += other.bytes_sent;
  return *this;
}

}  // namespace rk::session
