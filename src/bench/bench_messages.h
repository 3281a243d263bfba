#pragma once
// The JSON the bench sends, in either protocol, and the v2 joined reply it
// reads. Location Data carries the sender's index and the send time, so that
// every delivery can be checked and timed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rk::bench {

struct Resume {
  std::string epoch;
  std::uint64_t offset = 0;
};

// `token`: for a server with --auth-key (empty: none).
std::string init_message(int protocol, std::string_view person, std::string_view join_key,
                         const std::optional<Resume>& since, std::string_view token = {});

// The sender's index and the send time, as the digits of fractional
// coordinates (v2 checks ranges). The v2 id asks for an ack, so that the
// sender sees its own offsets.
std::string location_message(int protocol, std::string_view person, int client, std::int64_t now_us,
                             std::uint64_t id);

struct JoinedReply {
  bool valid = false;
  bool created = false;
  bool recovered = false;
  std::uint64_t offset = 0;  // the room's latest
  std::string key, epoch;
  std::vector<std::uint64_t> missed;  // offsets, in the order sent
};

JoinedReply parse_joined(std::string_view json);

}  // namespace rk::bench
