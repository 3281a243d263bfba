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

enum class StoreOp { kCreate, kExists, kDestroy };

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
  virtual std::string describe() const = 0;
};

// A store that cannot be opened (bad path, not a database, bad spec).
class StoreOpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using StoreCallback = std::function<void(StoreStatus)>;

class RoomStore {
 public:
  virtual ~RoomStore() = default;
  // Thread-safe. `done` runs on a store thread, exactly once.
  virtual void submit(StoreOp op, std::string key, StoreCallback done) = 0;
  // Finishes every request already submitted, then stops the store threads.
  virtual void drain() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace rk::store
