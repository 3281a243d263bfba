#pragma once
// Moving rooms between a store and JSON lines, or between two stores, as a
// stream: rooms go to the target in batches of kBatchRooms (one transaction
// each on the SQL stores), so memory does not grow with the number of rooms.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>

#include "store/room_catalog.h"

namespace rk::admin {

inline constexpr std::size_t kBatchRooms = 500;

struct TransferCounts {
  std::uint64_t imported = 0;
  std::uint64_t existed = 0;  // skipped: the key was taken in the target
  std::uint64_t expired = 0;  // skipped: Redis target, last used longer ago than the room TTL

  // "imported N, skipped M existing" (and the expired, if any).
  std::string summary() const;
};

// A malformed input line stopped an import: the batches before it are written
// (`done`), nothing from `first_unwritten_line` on is.
class ImportStopped : public std::runtime_error {
 public:
  ImportStopped(std::uint64_t line, const std::string& why, TransferCounts done, std::uint64_t first_unwritten_line);
  std::uint64_t line;
  TransferCounts done;
  std::uint64_t first_unwritten_line;
};

// Every room of `source` as a JSON line; returns how many.
std::uint64_t export_rooms(store::RoomCatalog& source, std::ostream& out);

// Reads every line (blank ones skipped) and throws ImportStopped at the first
// malformed one, writing nothing: for an input that can be read twice.
void check_lines(std::istream& in);

// JSON lines into `target`; an existing key is skipped and counted. Throws
// ImportStopped (see above) or store::StoreError.
TransferCounts import_rooms(std::istream& in, store::RoomCatalog& target);

// export_rooms(from) | import_rooms(to), without the JSON in between.
TransferCounts copy_rooms(store::RoomCatalog& from, store::RoomCatalog& to);

}  // namespace rk::admin
