#pragma once
// Room admin (`roomkey rooms`): every room of a store with its metadata, read
// and written synchronously on the caller's thread, straight on a backend.
// The admin command is not the server: no StoreRunner, no batching of other
// callers' requests, and a store that cannot answer is an error, not an
// outage to ride out.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rk::store {

struct RoomRecord {
  std::string key;
  std::optional<std::string> owner;        // nothing: none recorded (the original server's rows)
  std::optional<std::int64_t> created_at;  // Unix seconds; nothing: not recorded
  std::optional<std::int64_t> last_used;   // Unix seconds; nothing: not recorded yet

  bool operator==(const RoomRecord&) const = default;
};

enum class InsertOutcome {
  kInserted,
  kExisted,  // the key was taken: the room there was left as it was
  kExpired,  // Redis with a room TTL: last used longer ago than that, so Redis would drop it at once
};

// The store could not answer (unreachable, refused a statement).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RoomCatalog {
 public:
  virtual ~RoomCatalog() = default;
  // Hands every room to `each`, reading a page at a time, so memory does not
  // grow with the number of rooms. Throws StoreError (or what `each` throws).
  virtual void for_each_room(const std::function<void(const RoomRecord&)>& each) = 0;
  // Adds each room whose key is free, its metadata exactly as given; says
  // per room what happened. The SQL stores write the call's rooms in one
  // transaction: if it throws StoreError, none of them was written.
  virtual std::vector<InsertOutcome> insert_rooms(std::span<const RoomRecord> rooms) = 0;
  // Throws StoreError.
  virtual std::uint64_t room_count() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace rk::store
