#pragma once
// Where room keys live across restarts. Event loops call RoomStore, which
// never blocks them: each request is queued to the store's own thread(s) and
// its result handed to the callback there (the caller posts it back to its
// loop). Backends are plain synchronous code behind StoreBackend.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

namespace rk::store {

enum class StoreOp {
  kCreate,   // a new key, with its owner; created and last used now
  kExists,   // is the key there, and whose is it
  kDestroy,  // remove the key
  kTouch,    // the room was joined: its last use is now (sent at most hourly per room)
};

inline const char* name_of(StoreOp op) {
  switch (op) {
    case StoreOp::kCreate:
      return "create";
    case StoreOp::kExists:
      return "lookup";
    case StoreOp::kDestroy:
      return "destroy";
    case StoreOp::kTouch:
      return "last-use update";
  }
  return "request";
}

enum class StoreStatus {
  kOk,             // created / exists / destroyed
  kNotFound,       // exists or destroy: no such key
  kAlreadyExists,  // create: the key is taken
  kUnavailable,    // the store could not answer; nothing was changed
  kLimitReached,   // create: the store already holds --max-rooms rooms; nothing was changed
};

struct StoreRequest {
  StoreOp op = StoreOp::kExists;
  std::string key;
  // kCreate: recorded with the key (the token's `sub`, or the creator's
  // person name without auth). kExists: read back; empty for a row that has
  // none (made by the original server, or before owners were kept).
  std::string owner;
  std::int64_t created_at_s = 0;  // kExists: when the room was created, Unix seconds; 0: not recorded
  StoreStatus status = StoreStatus::kUnavailable;  // filled in by the backend
};

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // Runs the requests in order and fills in each status. When this returns,
  // every kOk create or destroy is durable.
  virtual void run_batch(std::span<StoreRequest> requests) = 0;
  // How many rooms the store holds, or nothing if it cannot answer now.
  virtual std::optional<std::uint64_t> count_rooms() = 0;
  // --room-ttl: removes rooms last used more than `ttl_s` seconds ago and
  // returns how many, or nothing if the store cannot answer now. A row with
  // no last use yet (the original server's) is given one now instead.
  virtual std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) = 0;
  // True if the store drops unused rooms on its own (Redis's key expiry):
  // then expire_unused() removes nothing and rooms are re-counted instead.
  virtual bool expires_by_itself() const { return false; }
  virtual std::string describe() const = 0;
};

// A store that cannot be opened: the file or server failed or refused (exit
// code 1).
class StoreOpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The spec itself is wrong (an unknown kind of store, a malformed URL): a
// usage error rather than a store that would not open.
class StoreSpecError : public StoreOpenError {
 public:
  using StoreOpenError::StoreOpenError;
};

// Gets the request back, its status (and for kExists its owner) filled in.
using StoreCallback = std::function<void(const StoreRequest&)>;

struct StoreStats;

class RoomStore {
 public:
  virtual ~RoomStore() = default;
  // Thread-safe. `done` runs on a store thread, exactly once.
  virtual void submit(StoreRequest request, StoreCallback done) = 0;
  // Finishes every request already submitted, then stops the store threads.
  virtual void drain() = 0;
  virtual std::string describe() const = 0;
  // Latency and failures so far, for /metrics (any thread).
  virtual StoreStats stats() const = 0;
};

}  // namespace rk::store
