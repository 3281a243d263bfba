#pragma once
// What the HTTP API does to rooms. Each operation runs on the loop that owns
// the room (hash of its key), as a task posted there, so it touches the room
// exactly as its members' own messages do: no lock. The store is asked first
// when the room is not in memory. Every path ends in exactly one reply, which
// may be called from any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "http/router.h"

namespace rk::session {
class LoopContext;
}
namespace rk::store {
class RoomStore;
}

namespace rk::api {

using Reply = http::Router::Reply;

struct ApiContext {
  store::RoomStore& store;
  const std::vector<session::LoopContext*>& loops;  // all of the process's, filled before the first request
};

void create_room(const ApiContext& context, std::string owner, Reply reply);
void describe_room(const ApiContext& context, std::string key, Reply reply);
void destroy_room(const ApiContext& context, std::string key, Reply reply);
// `data_json`: any JSON value, as text; members receive it as a `message`
// from `person`, and it joins the room's history.
void publish(const ApiContext& context, std::string key, std::string person, std::string data_json, Reply reply);
void history(const ApiContext& context, std::string key, std::uint64_t since, std::uint64_t limit, Reply reply);
// Members whose id is `id`, or whose name is `person`.
void kick(const ApiContext& context, std::string key, std::optional<std::string> id,
          std::optional<std::string> person, Reply reply);

}  // namespace rk::api
