#pragma once
// How a client gets into a room, whatever its protocol: the key-guessing
// guard, placement on the loop that owns the room (moving the connection
// there once), the store's word on creates, joins that miss in memory and
// destroys, the member limit. Outcomes come back as values; each protocol
// words them its own way.
#include <sys/socket.h>

#include <functional>
#include <memory>
#include <string>

#include "room/room_registry.h"
#include "store/room_store.h"

namespace rk::session {

class LoopContext;

// What room entry needs from the connection it works for.
class EntryHost {
 public:
  virtual LoopContext& loop() = 0;
  // Moves the connection to `owner`'s loop, then runs `then` there.
  virtual void move_to(LoopContext& owner, std::function<void()> then) = 0;
  // Asks the store; reading pauses meanwhile and `then` runs on this
  // connection's loop, only if it is still open.
  virtual void ask_store(store::StoreRequest request, std::function<void(const store::StoreRequest&)> then) = 0;
  virtual sockaddr_storage peer_address() const = 0;
  // Pauses reading until the returned callback runs (on this connection's
  // loop), which then calls `then` only if the connection is still open.
  virtual std::function<void(bool)> hold(std::function<void(bool)> then) = 0;

 protected:
  ~EntryHost() = default;
};

enum class EntryOutcome {
  kEntered,           // `room` is the room; the caller becomes its member
  kNotFound,          // no such key
  kTooManyJoins,      // the address used up its unknown-key joins
  kTooManyCreates,    // the address used up its creates (--max-creates-per-minute)
  kRoomFull,          // --max-room-members
  kRoomLimit,         // --max-rooms
  kStoreUnavailable,  // the store did not answer: try again
};

struct Entry {
  EntryOutcome outcome = EntryOutcome::kNotFound;
  room::Room* room = nullptr;
  std::string key;
  bool created = false;
};

// A value holding only its host: made when needed (ClientLink::room_entry())
// and copied into its own store callbacks, so no connection or handler keeps
// one around while idle.
class RoomEntry {
 public:
  using Done = std::function<void(const Entry&)>;
  explicit RoomEntry(EntryHost& host) : host_(host) {}

  // `owner`: recorded with the key (who may destroy it under token auth).
  void create(std::string owner, Done done) const;
  void join(std::string key, Done done) const;
  // Deletes the room's key from the store and the room from memory, and tells
  // each member (each in its own protocol); `available` is false if the store
  // could not answer, and then nothing changed.
  void destroy(std::string key, std::function<void(bool available)> done) const;

 private:
  void place(std::string key, std::string owner, bool create, int attempts_left, Done done) const;
  void create_here(std::string key, std::string owner, int attempts_left, Done done) const;
  void note_use(room::Room& room) const;
  void join_here(std::string key, Done done) const;
  void refuse_unknown(std::string key, const Done& done) const;
  void enter(room::Room& room, std::string key, bool created, const Done& done) const;
  void sync_then_enter(room::Room& room, std::string key, bool created, Done done) const;

  EntryHost& host_;
};

// The store no longer has `key`: its room (on `loop`, its owner) leaves
// memory and each member is told in its protocol; in cluster mode the other
// nodes too. False if the room was not in memory here.
bool end_destroyed_room(LoopContext& loop, const std::string& key);

}  // namespace rk::session
