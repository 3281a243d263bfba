#include "session/room_entry.h"

#include <spdlog/spdlog.h>

#include "room/room_key.h"
#include "session/cluster_sync.h"
#include "session/loop_context.h"

namespace rk::session {

namespace {
// A fresh 128-bit key colliding is not expected; this bounds the retries.
constexpr int kCreateAttempts = 3;

Entry outcome(EntryOutcome what, std::string key = {}) { return Entry{what, nullptr, std::move(key), false}; }
}  // namespace

void RoomEntry::create(std::string owner, Done done) const {
  LoopContext& loop = host_.loop();
  if (!loop.create_guard.take(GuardedAddress::of(host_.peer_address()), loop.loop.now())) {
    loop.counters.refuse(Limit::kCreatesPerMinute);
    return done(outcome(EntryOutcome::kTooManyCreates));
  }
  place(room::generate_room_key(), std::move(owner), true, kCreateAttempts, std::move(done));
}

void RoomEntry::join(std::string key, Done done) const {
  LoopContext& loop = host_.loop();
  if (!loop.join_guard.has_token(GuardedAddress::of(host_.peer_address()), loop.loop.now())) {
    loop.counters.refuse(Limit::kFailedJoins);
    return done(outcome(EntryOutcome::kTooManyJoins, std::move(key)));
  }
  if (key.empty() || key.size() > room::kMaxKeyBytes) return refuse_unknown(std::move(key), done);
  place(std::move(key), {}, false, kCreateAttempts, std::move(done));
}

// Every room lives on the loop its key hashes to; a connection whose init
// names a room of another loop moves there before anything else happens.
void RoomEntry::place(std::string key, std::string owner, bool create, int attempts_left, Done done) const {
  LoopContext& loop_of_room = host_.loop().owner_of(key);
  if (&loop_of_room != &host_.loop()) {
    return host_.move_to(loop_of_room, [entry = *this, key = std::move(key), owner = std::move(owner), create, attempts_left,
                                        done = std::move(done)]() mutable {
      entry.place(std::move(key), std::move(owner), create, attempts_left, std::move(done));
    });
  }
  if (create) return create_here(std::move(key), std::move(owner), attempts_left, std::move(done));
  join_here(std::move(key), std::move(done));
}

void RoomEntry::create_here(std::string key, std::string owner, int attempts_left, Done done) const {
  host_.ask_store(store::StoreRequest{store::StoreOp::kCreate, key, owner},
                  [entry = *this, key, owner, attempts_left, done = std::move(done)](const store::StoreRequest& reply) mutable {
                    switch (reply.status) {
                      case store::StoreStatus::kOk: {
                        // Acknowledged only now that the key is durable.
                        room::Room& room = entry.host_.loop().rooms.find_or_create(key);
                        room.set_owner(owner);
                        room.set_last_use_written_ms(entry.host_.loop().unix_ms());
                        return entry.sync_then_enter(room, key, true, std::move(done));
                      }
                      case store::StoreStatus::kLimitReached:
                        spdlog::debug("room create refused: --max-rooms reached");
                        entry.host_.loop().counters.refuse(Limit::kRooms);
                        return done(outcome(EntryOutcome::kRoomLimit));
                      case store::StoreStatus::kAlreadyExists:
                        // The new key may belong to another loop: place it like the first.
                        if (attempts_left > 1)
                          return entry.place(room::generate_room_key(), std::move(owner), true, attempts_left - 1,
                                             std::move(done));
                        [[fallthrough]];
                      default:
                        spdlog::warn("room create failed: store unavailable");
                        return done(outcome(EntryOutcome::kStoreUnavailable));
                    }
                  });
}

void RoomEntry::join_here(std::string key, Done done) const {
  if (auto* room = host_.loop().rooms.find(key)) {
    note_use(*room);
    return sync_then_enter(*room, std::move(key), false, std::move(done));
  }
  host_.ask_store(store::StoreRequest{store::StoreOp::kExists, key, {}},
                  [entry = *this, key, done = std::move(done)](const store::StoreRequest& reply) mutable {
    switch (reply.status) {
      case store::StoreStatus::kOk: {
        room::Room& room = entry.host_.loop().rooms.find_or_create(key);
        room.set_owner(reply.owner);
        entry.note_use(room);
        return entry.sync_then_enter(room, key, false, std::move(done));
      }
      case store::StoreStatus::kNotFound:
        return entry.refuse_unknown(std::move(key), done);
      default:
        return done(outcome(EntryOutcome::kStoreUnavailable, std::move(key)));
    }
  });
}

// --room-ttl counts from a room's last join. Writing that per join would
// cost a store write each; about hourly is plenty for a TTL of days. The
// write needs no answer, so it does not pause the client.
void RoomEntry::note_use(room::Room& room) const {
  LoopContext& loop = host_.loop();
  constexpr std::int64_t kHourMs = 3'600'000;
  if (loop.settings.room_ttl_s <= 0 || loop.unix_ms() - room.last_use_written_ms() < kHourMs) return;
  room.set_last_use_written_ms(loop.unix_ms());
  loop.store.submit(store::StoreRequest{store::StoreOp::kTouch, room.key(), {}}, [](const store::StoreRequest&) {});
}

void RoomEntry::refuse_unknown(std::string key, const Done& done) const {
  LoopContext& loop = host_.loop();
  loop.join_guard.spend(GuardedAddress::of(host_.peer_address()), loop.loop.now());
  done(outcome(EntryOutcome::kNotFound, std::move(key)));
}

// Cluster mode: a room is read from Redis before its first member here
// enters (its sequence, history, state and the members on other nodes).
void RoomEntry::sync_then_enter(room::Room& room, std::string key, bool created, Done done) const {
  LoopContext& loop = host_.loop();
  if (!loop.cluster) return enter(room, std::move(key), created, done);
  loop.cluster->attach(room, host_.hold([entry = *this, key = std::move(key), created, done = std::move(done)](bool ok) {
    room::Room* synced = ok ? entry.host_.loop().rooms.find(key) : nullptr;
    if (!synced) return done(outcome(EntryOutcome::kStoreUnavailable, created ? std::string() : key));
    entry.enter(*synced, key, created, done);
  }));
}

void RoomEntry::enter(room::Room& room, std::string key, bool created, const Done& done) const {
  if (room.member_count() >= host_.loop().settings.max_room_members) {
    host_.loop().rooms.erase_if_idle(room);
    host_.loop().counters.refuse(Limit::kRoomMembers);
    return done(outcome(EntryOutcome::kRoomFull, std::move(key)));
  }
  done(Entry{EntryOutcome::kEntered, &room, std::move(key), created});
}

void RoomEntry::destroy(std::string key, std::function<void(bool)> done) const {
  host_.ask_store(store::StoreRequest{store::StoreOp::kDestroy, key, {}},
                  [entry = *this, key, done = std::move(done)](const store::StoreRequest& reply) {
    if (reply.status == store::StoreStatus::kUnavailable) return done(false);
    // kNotFound too: the row is gone either way, so the room goes.
    end_destroyed_room(entry.host_.loop(), key);
    done(true);
  });
}

bool end_destroyed_room(LoopContext& loop, const std::string& key) {
  const auto room = loop.rooms.take(key);
  if (loop.cluster) loop.cluster->destroyed(key);  // the other nodes' members too, whether it is held here or not
  if (!room) return false;
  for (const auto& seat : room->members()) seat.member()->room_destroyed(key);
  return true;
}

}  // namespace rk::session
