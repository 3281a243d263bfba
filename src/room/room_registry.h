#pragma once
// The rooms one event loop holds in memory, and fan-out within a room.
// Everything here is touched by one thread only; a room lives in memory while
// it has members (the store keeps it across restarts and while empty).
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/shared_frame.h"

namespace rk::room {

// What a room needs from a member: a protocol handler of a local connection
// today, a subscription relaying to other nodes later. Members are reached
// only through this interface, never cast to what they are.
class RoomMember {
 public:
  virtual void deliver(const FramePtr& frame) = 0;
  // The room was destroyed and has already let go of its members: each tells
  // its own client in its own protocol and leaves without a leave notice.
  virtual void room_destroyed(std::string_view key) = 0;

 protected:
  ~RoomMember() = default;
};

class Room {
 public:
  explicit Room(std::string key) : key_(std::move(key)) {}

  const std::string& key() const { return key_; }
  const std::vector<RoomMember*>& members() const { return members_; }
  bool empty() const { return members_.empty(); }

  void add(RoomMember* member) { members_.push_back(member); }
  void remove(RoomMember* member);

  // Hands `frame` to every member but `sender` (the connection, not the name:
  // two members may share a name).
  void broadcast(const FramePtr& frame, const RoomMember* sender) const {
    for (RoomMember* member : members_) {
      if (member != sender) member->deliver(frame);
    }
  }

 private:
  std::string key_;
  std::vector<RoomMember*> members_;
};

class RoomRegistry {
 public:
  Room* find(std::string_view key);
  Room& find_or_create(std::string_view key);
  // Removes the room from memory and returns it (for a destroy).
  std::unique_ptr<Room> take(std::string_view key);
  // Drops the room from memory once its last member has left.
  void erase_if_empty(Room& room);
  std::size_t size() const { return rooms_.size(); }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  std::unordered_map<std::string, std::unique_ptr<Room>, KeyHash, std::equal_to<>> rooms_;
};

}  // namespace rk::room
