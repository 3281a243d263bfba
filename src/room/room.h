#pragma once
// One room in memory: its members and fan-out to them, its sequence of
// publications (epoch + offset), and its log (history and last-known state).
// Touched by one loop thread only.
#include <cstdint>
#include <functional>
#include <utility>
#include <string>
#include <vector>

#include "room/member.h"
#include "room/room_log.h"

namespace rk::room {

class Room {
 public:
  // A member and the protocol it speaks, in one word: the protocol rides in
  // the low bit of the (aligned) pointer. A room's seats are a vector that
  // doubles as members come, so 16 bytes a seat were 26 per member.
  class Seat {
   public:
    Seat(RoomMember* member, Protocol protocol)
        : bits_(reinterpret_cast<std::uintptr_t>(member) | static_cast<std::uintptr_t>(protocol)) {}
    RoomMember* member() const { return reinterpret_cast<RoomMember*>(bits_ & ~std::uintptr_t{1}); }
    Protocol protocol() const { return static_cast<Protocol>(bits_ & 1); }

   private:
    std::uintptr_t bits_;
  };
  static_assert(alignof(RoomMember) > 1 && kProtocolCount == 2, "the protocol must fit in the pointer's low bit");
  // Cluster mode: a member connected to another node.
  struct RemoteMember {
    MemberInfo info;
    std::string node;
  };
  // Cluster mode: whether the room's sequence is Redis's.
  enum class Sync : std::uint8_t {
    kLocal,    // this process's own (single node, or Redis unreachable)
    kLoading,  // being read from Redis; joiners wait
    kShared,   // Redis's: publications go through it
  };

  Room(std::string key, std::string epoch, Retention& retention)
      : key_(std::move(key)), epoch_(std::move(epoch)), log_(retention) {}

  const std::string& key() const { return key_; }
  const std::vector<Seat>& members() const { return members_; }
  bool empty() const { return members_.empty(); }
  std::size_t count(Protocol protocol) const { return counts_[static_cast<std::size_t>(protocol)]; }

  void add(RoomMember* member, Protocol protocol);
  void remove(RoomMember* member);

  // Hands each member but `sender` the frame of its protocol (the sender is
  // the member, not the name: two members may share a name).
  void broadcast(const Broadcast& message, const RoomMember* sender) const {
    for (const Seat& seat : members_) {
      const FramePtr& frame = message[seat.protocol()];
      if (seat.member() != sender && frame) seat.member()->deliver(frame);
    }
  }

  // The sequence: offsets start at 1 and grow by one per publication.
  const std::string& epoch() const { return epoch_; }
  std::uint64_t offset() const { return offset_; }
  std::uint64_t next_offset() { return ++offset_; }
  // Cluster mode: the sequence as Redis has it.
  void set_sequence(std::string epoch, std::uint64_t offset) {
    epoch_ = std::move(epoch);
    offset_ = offset;
  }
  void set_offset(std::uint64_t offset) { offset_ = offset; }

  // Cluster mode. A clustered room leaves memory when its last member here
  // leaves, whatever it remembers: Redis keeps it.
  bool clustered() const { return clustered_; }
  void set_clustered() { clustered_ = true; }
  Sync sync() const { return sync_; }
  void set_sync(Sync sync) { sync_ = sync; }
  std::vector<RemoteMember>& remote_members() { return remote_; }
  const std::vector<RemoteMember>& remote_members() const { return remote_; }
  // Joiners waiting for the room to be read from Redis (true: it was).
  void wait_for_sync(std::function<void(bool)> then) { waiting_.push_back(std::move(then)); }
  std::vector<std::function<void(bool)>> take_waiting() { return std::exchange(waiting_, {}); }
  bool waiting_empty() const { return waiting_.empty(); }
  // Members here and on other nodes.
  std::size_t member_count() const { return members_.size() + remote_.size(); }

  RoomLog& log() { return log_; }
  const RoomLog& log() const { return log_; }

  // Whose room it is, as the store keeps it (a token's `sub`, or without
  // auth the creator's person name; empty for rooms made before owners were
  // kept, or by the original server).
  const std::string& owner() const { return owner_; }
  void set_owner(std::string owner) { owner_ = std::move(owner); }
  // When its last use was last written to the store (Unix ms; 0: never from
  // this process): --room-ttl needs it at most about hourly, not per join.
  std::int64_t last_use_written_ms() const { return last_use_written_ms_; }
  void set_last_use_written_ms(std::int64_t at) { last_use_written_ms_ = at; }
  // The HTTP API keeps a room it waits on (a publication on its way through Redis).
  void hold() { ++holds_; }
  void release() {
    if (holds_ > 0) --holds_;  // a room taken and made again under the same key was never held
  }
  // Nothing to keep it in memory: no member, no wait, nothing remembered.
  bool idle() const { return members_.empty() && waiting_.empty() && holds_ == 0 && (clustered_ || log_.empty()); }

 private:
  std::string key_;
  std::uint32_t holds_ = 0;
  std::string epoch_;
  std::string owner_;
  std::int64_t last_use_written_ms_ = 0;
  std::uint64_t offset_ = 0;
  bool clustered_ = false;
  Sync sync_ = Sync::kLocal;
  std::vector<Seat> members_;
  std::vector<RemoteMember> remote_;
  std::vector<std::function<void(bool)>> waiting_;
  std::size_t counts_[kProtocolCount] = {0, 0};
  RoomLog log_;
};

}  // namespace rk::room
