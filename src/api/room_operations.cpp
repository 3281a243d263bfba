#include "api/room_operations.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "api/api_reply.h"
#include "protocol/json_text.h"
#include "room/room_key.h"
#include "session/cluster_sync.h"
#include "session/fan_out.h"
#include "session/loop_context.h"
#include "session/room_entry.h"
#include "store/room_store.h"

namespace rk::api {
namespace {

constexpr int kCreateAttempts = 3;  // a fresh 128-bit key colliding is not expected
constexpr std::string_view kServerId = "server";  // the `from` of what the API publishes

using RoomTask = std::function<void(session::LoopContext& owner, room::Room* room)>;

session::LoopContext& owner_of(const ApiContext& context, const std::string& key) {
  return context.loops.front()->owner_of(key);
}

constexpr auto kClusterAnswerWithin = std::chrono::seconds(5);

http::Response cluster_unavailable() {
  return error(503, "cluster_unavailable", "the cluster's Redis did not answer; try again", "Retry-After: 1\r\n");
}

// In cluster mode the room is read from Redis (members of every node, the
// sequence, history) before `task` runs, as for a first member here; after,
// a room nobody here is in leaves memory again. A single node runs it as is.
void synced(session::LoopContext& owner, const std::string& key, room::Room* room, const Reply& reply,
            const RoomTask& task) {
  if (!owner.cluster || !room) return task(owner, room);
  owner.cluster->attach(*room, [&owner, key, reply, task](bool ok) {
    room::Room* read = owner.rooms.find(key);
    if (!ok || !read) return reply(cluster_unavailable());
    task(owner, read);
  });
}

// Runs `task` on the room's loop with the room in memory if it is, or after
// the store said the key exists (room null then, unless `load` or cluster
// mode: then it is brought into memory, as a join would).
void with_room(const ApiContext& context, std::string key, bool load, Reply reply, RoomTask task) {
  session::LoopContext& owner = owner_of(context, key);
  owner.loop.post([&context, &owner, key = std::move(key), load, reply = std::move(reply),
                   task = std::move(task)]() mutable {
    if (room::Room* room = owner.rooms.find(key)) return synced(owner, key, room, reply, task);
    context.store.submit(store::StoreRequest{store::StoreOp::kExists, key, {}},
                         [&owner, key, load, reply = std::move(reply), task = std::move(task)](
                             const store::StoreRequest& answer) mutable {
                           if (answer.status == store::StoreStatus::kUnavailable) return reply(store_unavailable());
                           if (answer.status != store::StoreStatus::kOk) return reply(room_not_found());
                           owner.loop.post([&owner, key, load, owner_name = answer.owner, reply = std::move(reply),
                                            task = std::move(task)] {
                             room::Room* room = owner.rooms.find(key);
                             if (!room && (load || owner.cluster)) {
                               room = &owner.rooms.find_or_create(key);
                               room->set_owner(owner_name);
                             }
                             synced(owner, key, room, reply, task);
                           });
                         });
  });
}

// A room the API brought into memory goes again if nobody is in it and it
// keeps nothing (in cluster mode: nobody on this node). Posted, not done
// now: the caller may be inside the room's own code (a delivery, joiners
// waiting on the same read from Redis, who enter right after).
void let_go(session::LoopContext& owner, const std::string& key) {
  owner.loop.post([&owner, key] {
    if (room::Room* room = owner.rooms.find(key)) owner.rooms.erase_if_idle(*room);
  });
}

void attempt_create(const ApiContext& context, std::string owner, Reply reply, int attempts_left) {
  std::string key = room::generate_room_key();
  context.store.submit(
      store::StoreRequest{store::StoreOp::kCreate, key, owner},
      [&context, key, owner, reply = std::move(reply), attempts_left](const store::StoreRequest& answer) mutable {
        switch (answer.status) {
          case store::StoreStatus::kOk:
            spdlog::info("HTTP API: room {} created", key.substr(0, 6));
            return reply(json(201, "Created", "{\"join\":" + protocol::json_string(key) + "}"));
          case store::StoreStatus::kLimitReached:
            return reply(error(503, "room_limit", "the server holds as many rooms as it may (--max-rooms)",
                               "Retry-After: 60\r\n"));
          case store::StoreStatus::kAlreadyExists:
            if (attempts_left > 1) return attempt_create(context, std::move(owner), std::move(reply), attempts_left - 1);
            [[fallthrough]];
          default:
            return reply(store_unavailable());
        }
      });
}

void append_member(std::string& out, const room::MemberInfo& info) {
  out += out.back() == '[' ? "{\"id\":" : ",{\"id\":";
  protocol::append_json_string(out, info.id);
  out += ",\"person\":" + info.person_json + "}";
}

// This node's members and, in cluster mode, the other nodes'.
void append_members(std::string& out, const room::Room* room) {
  out += "\"members\":[";
  if (room) {
    for (const auto& seat : room->members()) append_member(out, seat.member()->info());
    for (const auto& remote : room->remote_members()) append_member(out, remote.info);
  }
  out += ']';
}

void append_sequence(std::string& out, const room::Room* room) {
  if (!room) {
    out += "\"epoch\":null,\"offset\":0";
    return;
  }
  out += "\"epoch\":";
  protocol::append_json_string(out, room->epoch());
  out += ",\"offset\":" + std::to_string(room->offset());
}

}  // namespace

// Cluster mode: Redis gives the offset; the answer waits for the publication
// to come back on the room's channel (or gives up after a while).
void publish_through_redis(session::LoopContext& owner, const std::string& key, room::Room& room,
                           const std::shared_ptr<std::pair<std::string, std::string>>& body, const Reply& reply) {
  auto answered = std::make_shared<bool>(false);
  room.hold();  // until the answer: a concurrent call's let_go must not unsubscribe it
  const auto done = [&owner, key] {
    if (room::Room* held = owner.rooms.find(key)) held->release();
    let_go(owner, key);
  };
  const room::MemberInfo as{std::string(kServerId), body->first};
  const std::string id =
      owner.cluster->publish_for_api(room, as, body->second, [reply, answered, done](std::uint64_t offset) {
        *answered = true;
        reply(json(200, "OK", "{\"offset\":" + std::to_string(offset) + "}"));
        done();
      });
  owner.loop.add_timer(kClusterAnswerWithin, [&owner, id, reply, answered, done] {
    if (*answered) return;
    owner.cluster->cancel_api_publication(id);
    reply(cluster_unavailable());
    done();
  });
}

void create_room(const ApiContext& context, std::string owner, Reply reply) {
  attempt_create(context, std::move(owner), std::move(reply), kCreateAttempts);
}

void describe_room(const ApiContext& context, std::string key, Reply reply) {
  // The store has the owner and the creation time; the room's loop, who is in it.
  context.store.submit(store::StoreRequest{store::StoreOp::kExists, key, {}},
                       [&context, key, reply = std::move(reply)](const store::StoreRequest& answer) mutable {
    if (answer.status == store::StoreStatus::kUnavailable) return reply(store_unavailable());
    if (answer.status != store::StoreStatus::kOk) return reply(room_not_found());
    session::LoopContext& owner = owner_of(context, key);
    owner.loop.post([&owner, key, answer, reply = std::move(reply)] {
      room::Room* room = owner.rooms.find(key);
      if (!room && owner.cluster) {
        room = &owner.rooms.find_or_create(key);
        room->set_owner(answer.owner);  // as a joiner's lookup would: a member may enter while it loads
      }
      synced(owner, key, room, reply, [key, answer, reply](session::LoopContext& owner, room::Room* room) {
        std::string body = "{\"join\":" + protocol::json_string(key) + ",\"owner\":";
        body += answer.owner.empty() ? "null" : protocol::json_string(answer.owner);
        body += ",\"created_at\":" + (answer.created_at_s ? std::to_string(answer.created_at_s) : std::string("null"));
        body += ',';
        append_members(body, room);
        body += ',';
        append_sequence(body, room);
        reply(json(200, "OK", body + "}"));
        let_go(owner, key);
      });
    });
  });
}

void destroy_room(const ApiContext& context, std::string key, Reply reply) {
  context.store.submit(store::StoreRequest{store::StoreOp::kDestroy, key, {}},
                       [&context, key, reply = std::move(reply)](const store::StoreRequest& answer) mutable {
    if (answer.status == store::StoreStatus::kUnavailable) return reply(store_unavailable());
    session::LoopContext& owner = owner_of(context, key);
    owner.loop.post([&owner, key, found = answer.status == store::StoreStatus::kOk, reply = std::move(reply)] {
      const bool was_in_memory = session::end_destroyed_room(owner, key);
      if (!found && !was_in_memory) return reply(room_not_found());
      spdlog::info("HTTP API: room {} destroyed", key.substr(0, 6));
      reply(http::Response{204, "No Content", {}, "application/json", {}});
    });
  });
}

void publish(const ApiContext& context, std::string key, std::string person, std::string data_json, Reply reply) {
  auto body = std::make_shared<std::pair<std::string, std::string>>(protocol::json_string(person), std::move(data_json));
  with_room(context, key, true, reply, [key, body, reply](session::LoopContext& owner, room::Room* room) {
    const auto& [person_json, data] = *body;
    if (room->sync() == room::Room::Sync::kShared) return publish_through_redis(owner, key, *room, body, reply);
    const std::uint64_t offset = room->next_offset();
    room::Author* author = room->log().author_for(kServerId, person_json);
    const session::Publication publication{session::Publication::Type::kMessage, data, {}, {}};
    session::fan_out(owner, *room, publication, {kServerId, person_json, offset, owner.unix_ms()}, {}, author);
    room->log().unseat(author);  // no member behind it: kept only while history names it
    let_go(owner, key);  // no member and nothing kept (--history-size 0)
    reply(json(200, "OK", "{\"offset\":" + std::to_string(offset) + "}"));
  });
}

void history(const ApiContext& context, std::string key, std::uint64_t since, std::uint64_t limit, Reply reply) {
  with_room(context, key, false, reply, [key, since, limit, reply](session::LoopContext& owner, room::Room* room) {
    std::string body = "{";
    append_sequence(body, room);
    body += ",\"publications\":[";
    if (room) {
      const room::RoomLog& log = room->log();
      std::uint64_t written = 0;
      for (std::size_t i = log.first_after(since); i < log.history_count() && written < limit; ++i, ++written) {
        if (written) body += ',';
        body += session::v2_json_of(log.at(i));
      }
    }
    reply(json(200, "OK", body + "]}"));
    let_go(owner, key);
  });
}

void kick(const ApiContext& context, std::string key, std::optional<std::string> id, std::optional<std::string> person,
          Reply reply) {
  const std::string person_json = person ? protocol::json_string(*person) : std::string();
  with_room(context, key, false, reply,
            [key, id = std::move(id), person_json, reply](session::LoopContext& owner, room::Room* room) {
    const auto chosen_one = [&](const room::MemberInfo& info) {
      return (id && info.id == *id) || (!person_json.empty() && info.person_json == person_json);
    };
    std::vector<room::RoomMember*> chosen;
    std::size_t elsewhere = 0;
    if (room) {
      for (const auto& seat : room->members()) {
        if (chosen_one(seat.member()->info())) chosen.push_back(seat.member());
      }
      for (const auto& remote : room->remote_members()) elsewhere += chosen_one(remote.info);
    }
    if (elsewhere > 0) owner.cluster->kick_elsewhere(key, id.value_or(""), person_json);
    // Each leaves the room as it closes: not while walking its members.
    for (room::RoomMember* member : chosen) member->kicked();
    reply(json(200, "OK", "{\"kicked\":" + std::to_string(chosen.size() + elsewhere) + "}"));
    let_go(owner, key);
  });
}

}  // namespace rk::api
