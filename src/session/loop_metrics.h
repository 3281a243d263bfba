#pragma once
// What one event loop counts for /metrics. Plain integers written by the
// loop's own thread only: the message path touches no shared count and no
// atomic. A scrape asks every loop, on its own thread, for a snapshot
// (LoopContext::metrics_snapshot) and sums them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>

namespace rk::session {

// Each limit that can refuse a client, as /metrics labels it.
enum class Limit : std::uint8_t {
  kConnections,         // --max-connections (HTTP 503)
  kConnectionsPerIp,    // --max-connections-per-ip (HTTP 503)
  kRoomMembers,         // --max-room-members
  kRooms,               // --max-rooms
  kCreatesPerMinute,    // --max-creates-per-minute
  kFailedJoins,         // --max-failed-joins-per-minute
  kMessagesPerSecond,   // --max-messages-per-second (each message refused)
  kMessageBytes,        // --max-message-bytes (close 1009)
  kCount
};
const char* label_of(Limit limit);

struct LoopCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t messages_received = 0;  // whole text messages from clients
  std::uint64_t deliveries = 0;         // publications handed to members (one per recipient)
  std::uint64_t slow_consumers_dropped = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(Limit::kCount)> refused{};
  // Close codes: a handful of distinct values, each inserted once.
  std::map<std::uint16_t, std::uint64_t> closes_by_server;
  std::map<std::uint16_t, std::uint64_t> closes_by_client;

  void refuse(Limit limit) { ++refused[static_cast<std::size_t>(limit)]; }
  LoopCounters& operator+=(const LoopCounters& other);
};

// A loop's counters and what it holds at the moment of the scrape.
struct MetricsSnapshot {
  LoopCounters counters;
  std::uint64_t connections_http = 0;  // before the upgrade, or answering plain HTTP
  std::uint64_t connections_v1 = 0;    // upgraded, protocol v1 (or no message yet)
  std::uint64_t connections_v2 = 0;
  std::uint64_t rooms = 0;             // rooms in memory
  std::uint64_t bytes_received = 0;    // on the wire (TLS included)
  std::uint64_t bytes_sent = 0;
  MetricsSnapshot& operator+=(const MetricsSnapshot& other);
};

}  // namespace rk::session
