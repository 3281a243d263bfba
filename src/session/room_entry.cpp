#include "session/room_entry.h"

#include <spdlog/spdlog.h>

#include "room/room_key.h"
#include "session/loop_context.h"

namespace rk::session {

namespace {
// A fresh 128-bit key colliding is not expected; this bounds the retries.
constexpr int kCreateAttempts = 3;

Entry outcome(EntryOutcome what, std::string key = {}) { return Entry{what, nullptr, std::move(key), false}; }
}  // namespace

void RoomEntry::create(Done done) { place(room::generate_room_key(), true, kCreateAttempts, std::move(done)); }

void RoomEntry::join(std::string key, Done done) {
  LoopContext& loop = host_.loop();
  if (!loop.join_guard.may_join(GuardedAddress::of(host_.peer_address()), loop.loop.now()))
    return done(outcome(EntryOutcome::kTooManyJoins, std::move(key)));
  if (key.empty() || key.size() > room::kMaxKeyBytes) return refuse_unknown(std::move(key), done);
  place(std::move(key), false, kCreateAttempts, std::move(done));
}

// Every room lives on the loop its key hashes to; a connection whose init
// names a room of another loop moves there before anything else happens.
void RoomEntry::place(std::string key, bool create, int attempts_left, Done done) {
  LoopContext& owner = host_.loop().owner_of(key);
  if (&owner != &host_.loop()) {
    return host_.move_to(owner, [this, key = std::move(key), create, attempts_left, done = std::move(done)]() mutable {
      place(std::move(key), create, attempts_left, std::move(done));
    });
  }
  if (create) return create_here(std::move(key), attempts_left, std::move(done));
  join_here(std::move(key), std::move(done));
}

void RoomEntry::create_here(std::string key, int attempts_left, Done done) {
  host_.ask_store(store::StoreOp::kCreate, key,
                  [this, key, attempts_left, done = std::move(done)](store::StoreStatus status) mutable {
                    switch (status) {
                      case store::StoreStatus::kOk:
                        // Acknowledged only now that the key is durable.
                        return enter(host_.loop().rooms.find_or_create(key), key, true, done);
                      case store::StoreStatus::kLimitReached:
                        spdlog::debug("room create refused: --max-rooms reached");
                        return done(outcome(EntryOutcome::kRoomLimit));
                      case store::StoreStatus::kAlreadyExists:
                        // The new key may belong to another loop: place it like the first.
                        if (attempts_left > 1)
                          return place(room::generate_room_key(), true, attempts_left - 1, std::move(done));
                        [[fallthrough]];
                      default:
                        spdlog::warn("room create failed: store unavailable");
                        return done(outcome(EntryOutcome::kStoreUnavailable));
                    }
                  });
}

void RoomEntry::join_here(std::string key, Done done) {
  if (auto* room = host_.loop().rooms.find(key)) return enter(*room, std::move(key), false, done);
  host_.ask_store(store::StoreOp::kExists, key, [this, key, done = std::move(done)](store::StoreStatus status) mutable {
    switch (status) {
      case store::StoreStatus::kOk:
        return enter(host_.loop().rooms.find_or_create(key), key, false, done);
      case store::StoreStatus::kNotFound:
        return refuse_unknown(std::move(key), done);
      default:
        return done(outcome(EntryOutcome::kStoreUnavailable, std::move(key)));
    }
  });
}

void RoomEntry::refuse_unknown(std::string key, const Done& done) {
  LoopContext& loop = host_.loop();
  loop.join_guard.failed(GuardedAddress::of(host_.peer_address()), loop.loop.now());
  done(outcome(EntryOutcome::kNotFound, std::move(key)));
}

void RoomEntry::enter(room::Room& room, std::string key, bool created, const Done& done) {
  if (room.members().size() >= host_.loop().settings.max_room_members) {
    host_.loop().rooms.erase_if_idle(room);
    return done(outcome(EntryOutcome::kRoomFull, std::move(key)));
  }
  done(Entry{EntryOutcome::kEntered, &room, std::move(key), created});
}

void RoomEntry::destroy(std::string key, std::function<void(bool)> done) {
  host_.ask_store(store::StoreOp::kDestroy, key, [this, key, done = std::move(done)](store::StoreStatus status) {
    if (status == store::StoreStatus::kUnavailable) return done(false);
    // kNotFound too: the row is gone either way, so the room goes.
    const auto room = host_.loop().rooms.take(key);
    if (room) {
      for (const auto& seat : room->members()) seat.member->room_destroyed(key);
    }
    done(true);
  });
}

}  // namespace rk::session
