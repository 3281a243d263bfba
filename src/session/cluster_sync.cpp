#include "session/cluster_sync.h"

#include <algorithm>
#include <spdlog/spdlog.h>
#include <unordered_set>
#include <vector>

#include "protocol/server_message.h"
#include "protocol/server_message_v2.h"
#include "room/room_key.h"
#include "session/loop_context.h"

namespace rk::session {
using cluster::BusMessage;
using cluster::MessageKind;
using room::Protocol;
using Sync = room::Room::Sync;

namespace {

char reason_code(room::LeaveReason reason) {
  switch (reason) {
    case room::LeaveReason::kClosed:
      return 'c';
    case room::LeaveReason::kTimeout:
      return 't';
    case room::LeaveReason::kDropped:
      return 'd';
  }
  return 'c';
}

room::LeaveReason reason_of(char code) {
  switch (code) {
    case 't':
      return room::LeaveReason::kTimeout;
    case 'd':
      return room::LeaveReason::kDropped;
    default:
      return room::LeaveReason::kClosed;
  }
}

Publication publication_of(const cluster::PublicationFields& fields) {
  return {static_cast<Publication::Type>(fields.kind - '0'), fields.first, fields.second, fields.ack_id};
}

}  // namespace

ClusterSync::ClusterSync(LoopContext& loop, cluster::BusOptions options)
    : loop_(loop), bus_(loop.loop, std::move(options), *this), node_(bus_.node()) {}

// ---------------------------------------------------------------- this node's side

void ClusterSync::attach(room::Room& room, std::function<void(bool)> then) {
  if (!room.clustered() || (room.sync() == Sync::kLocal && room.empty() && room.remote_members().empty())) {
    room.set_clustered();
    room.set_sync(Sync::kLoading);
    room.wait_for_sync(std::move(then));
    bus_.attach(room.key());
    return;
  }
  if (room.sync() == Sync::kLoading) return room.wait_for_sync(std::move(then));
  then(true);  // read already; or Redis is down and the room goes on here
}

void ClusterSync::publish(room::Room& room, const room::MemberInfo& member, const Publication& publication) {
  body_.clear();
  cluster::write_publication_body({loop_.unix_ms(), static_cast<char>('0' + static_cast<int>(publication.type)), node_,
                                   member.id, member.person_json, publication.first, publication.second,
                                   publication.ack_id},
                                  body_);
  state_field_.clear();
  if (publication.type != Publication::Type::kMessage && loop_.settings.state_ttl_s > 0)
    state_field_ = cluster::state_field(static_cast<char>('0' + static_cast<int>(publication.type)), member.person_json);
  bus_.publish(room.key(), body_, state_field_);
}

void ClusterSync::joined(room::Room& room, const room::MemberInfo& member) {
  bus_.joined(room.key(), cluster::member_field(node_, member.id),
              cluster::join_message(node_, member.id, member.person_json));
}

void ClusterSync::left(room::Room& room, const room::MemberInfo& member, room::LeaveReason reason) {
  bus_.left(room.key(), cluster::member_field(node_, member.id),
            cluster::leave_message(node_, member.id, reason_code(reason)));
}

void ClusterSync::destroyed(const std::string& key) { bus_.destroyed(key); }

std::string ClusterSync::publish_for_api(room::Room& room, const room::MemberInfo& as, std::string_view data,
                                         std::function<void(std::uint64_t)> done) {
  // Unique on this node, and not JSON: no v2 client's ack id can look like it.
  std::string id = "api." + std::to_string(++api_publications_made_);
  api_publications_.emplace(id, std::move(done));
  publish(room, as, {Publication::Type::kMessage, data, {}, id});
  return id;
}

void ClusterSync::kick_elsewhere(const std::string& key, std::string_view member_id, std::string_view person_json) {
  bus_.broadcast(key, cluster::kick_message(node_, member_id, person_json));
}

void ClusterSync::forget(const room::Room& room) {
  if (room.clustered()) bus_.detach(room.key());
}

// ---------------------------------------------------------------- Redis's side

void ClusterSync::on_snapshot(cluster::RoomSnapshot& snapshot) {
  room::Room* room = loop_.rooms.find(snapshot.key);
  if (!room || !room->clustered()) {
    if (snapshot.ok) bus_.detach(snapshot.key);  // everyone waiting for it is gone
    return;
  }
  if (!snapshot.ok) return finish_loading(*room, false);
  if (room->sync() == Sync::kLoading) {
    load(*room, snapshot);
    return finish_loading(*room, true);
  }
  resync(*room, snapshot);
}

void ClusterSync::finish_loading(room::Room& room, bool ok) {
  room.set_sync(ok ? Sync::kShared : Sync::kLocal);
  const std::string key = room.key();
  // A joiner's entry may let the room go (it found it full): look it up again after.
  for (auto& then : room.take_waiting()) then(ok);
  room::Room* still = loop_.rooms.find(key);
  if (!still || !still->waiting_empty()) return;
  if (!ok && still->empty()) {
    // Nobody got in: the room is not this node's to keep (and the bus has let go).
    loop_.rooms.take(key);
    return;
  }
  loop_.rooms.erase_if_idle(*still);
}

// The room as Redis has it replaces what this loop held.
void ClusterSync::load(room::Room& room, const cluster::RoomSnapshot& snapshot) {
  room.set_sequence(snapshot.epoch, snapshot.offset);
  room::RoomLog& log = room.log();
  log.clear_entries();
  auto& remotes = room.remote_members();
  remotes.clear();
  for (const auto& text : snapshot.members) {
    const auto member = cluster::parse_bus_message(text);
    if (!member || member->kind != MessageKind::kJoin || member->node == node_) continue;
    remotes.push_back({{std::string(member->member_id), std::string(member->person_json)}, std::string(member->node)});
  }
  const auto keep = [&](const std::string& text, bool as_state) {
    const auto entry = cluster::parse_bus_message(text);
    if (!entry || entry->kind != MessageKind::kPublication || entry->epoch != snapshot.epoch) return;
    const auto& p = entry->publication;
    room::Author* author = log.author_for(p.member_id, p.person_json);
    const auto kind = static_cast<room::Kind>(p.kind - '0');
    if (as_state) {
      log.remember_state(entry->offset, p.at_ms, author, kind, p.first, p.second);
    } else {
      log.append(entry->offset, p.at_ms, author, kind, p.first, p.second);
    }
  };
  for (const auto& text : snapshot.history) keep(text, false);
  for (const auto& text : snapshot.states) keep(text, true);
  // Authors who are no longer members are remembered only by their entries.
  std::unordered_set<std::string_view> present;
  for (const auto& remote : remotes) present.insert(remote.info.id);
  for (const auto& seat : room.members()) present.insert(seat.member()->info().id);
  std::unordered_set<room::Author*> gone;
  for (const auto* entries : {&snapshot.history, &snapshot.states}) {
    for (const auto& text : *entries) {
      const auto entry = cluster::parse_bus_message(text);
      if (!entry || present.contains(entry->publication.member_id)) continue;
      if (room::Author* author = log.find_author(entry->publication.member_id)) gone.insert(author);
    }
  }
  for (room::Author* author : gone) log.unseat(author);
}

// A room this loop serves, read again: after an outage (it went on here under
// a sequence of its own) or a gap (a channel message was missed).
void ClusterSync::resync(room::Room& room, cluster::RoomSnapshot& snapshot) {
  const bool same_sequence = room.sync() == Sync::kShared && snapshot.epoch == room.epoch() &&
                             snapshot.offset >= room.offset();
  std::uint64_t first_held = 0;
  if (!snapshot.history.empty()) {
    if (const auto first = cluster::parse_bus_message(snapshot.history.front())) first_held = first->offset;
  }
  const bool nothing_lost = snapshot.offset == room.offset() || (first_held && first_held <= room.offset() + 1);
  if (same_sequence && nothing_lost) {
    // Only missed publications: delivered in order, no reset.
    for (const auto& text : snapshot.history) {
      if (const auto entry = cluster::parse_bus_message(text)) apply(room, *entry);
    }
    return;
  }
  // Presence first, as the others saw it change meanwhile.
  const auto before = room.remote_members();
  std::unordered_set<std::string> now_present;
  for (const auto& text : snapshot.members) {
    const auto member = cluster::parse_bus_message(text);
    if (member && member->kind == MessageKind::kJoin && member->node != node_)
      now_present.insert(cluster::member_field(member->node, member->member_id));
  }
  for (const auto& remote : before) {
    if (!now_present.contains(cluster::member_field(remote.node, remote.info.id)))
      remote_leave(room, remote.node, remote.info.id, 't');
  }
  for (const auto& text : snapshot.members) {
    const auto member = cluster::parse_bus_message(text);
    if (member && member->kind == MessageKind::kJoin)
      remote_join(room, member->node, member->member_id, member->person_json);
  }
  load(room, snapshot);
  room.set_sync(Sync::kShared);
  announce_reset(room);
  spdlog::info("cluster: room {}... re-read from Redis: v2 members were sent a reset", room.key().substr(0, 6));
}

void ClusterSync::on_room_message(std::string_view room_key, std::string_view text) {
  room::Room* room = loop_.rooms.find(room_key);
  if (!room || !room->clustered() || room->sync() != Sync::kShared) return;
  const auto message = cluster::parse_bus_message(text);
  if (!message) return spdlog::warn("cluster: ignored a malformed message on room {}...'s channel", room_key.substr(0, 6));
  apply(*room, *message);
}

void ClusterSync::apply(room::Room& room, const BusMessage& message) {
  switch (message.kind) {
    case MessageKind::kPublication:
      return deliver(room, message);
    case MessageKind::kJoin:
      return remote_join(room, message.node, message.member_id, message.person_json);
    case MessageKind::kLeave:
      return remote_leave(room, message.node, message.member_id, message.reason);
    case MessageKind::kDestroyed:
      if (message.node != node_) remote_destroy(room);
      return;
    case MessageKind::kKick:
      if (message.node != node_) kick_here(room, message.member_id, message.person_json);
      return;
  }
}

void ClusterSync::deliver(room::Room& room, const BusMessage& message) {
  if (message.epoch != room.epoch()) {
    if (message.offset != 1) return bus_.attach(room.key());  // re-read: the sequence changed under us
    // Redis began a new sequence (the old one expired): so do the members.
    room.set_sequence(std::string(message.epoch), 0);
    room.log().clear_history();
    announce_reset(room);
  }
  if (message.offset <= room.offset()) return;  // had it already (a re-read overlaps)
  if (message.offset > room.offset() + 1) return bus_.attach(room.key());  // missed some: re-read
  hand_out(room, message.publication, message.offset);
}

// To every member here but its author, into the log, and acked to its author.
void ClusterSync::hand_out(room::Room& room, const cluster::PublicationFields& p, std::uint64_t offset) {
  room.set_offset(offset);
  room::RoomMember* author_here = nullptr;
  Sender from;
  if (p.node == node_) {
    for (const auto& seat : room.members()) {
      if (seat.member()->info().id != p.member_id) continue;
      author_here = seat.member();
      from = {seat.member(), seat.protocol()};
    }
  }
  room::Author* author = room.log().find_author(p.member_id, p.person_json);
  const bool had_record = author != nullptr;
  fan_out(loop_, room, publication_of(p), {p.member_id, p.person_json, offset, p.at_ms}, from, author);
  if (author_here && !p.ack_id.empty()) author_here->acknowledged(p.ack_id, offset);
  // A record made for a member that is gone (its publication came back after
  // it left) is remembered only by its entries.
  if (author && !had_record && !author_here && !is_remote_member(room, p.node, p.member_id))
    room.log().unseat(author);
  // Last: the API's answer may let the room go.
  if (!author_here && p.node == node_ && !p.ack_id.empty()) answer_api(p.ack_id, offset);
}

void ClusterSync::answer_api(std::string_view ack_id, std::uint64_t offset) {
  const auto waiting = api_publications_.find(std::string(ack_id));
  if (waiting == api_publications_.end()) return;  // timed out meanwhile
  auto done = std::move(waiting->second);
  api_publications_.erase(waiting);
  done(offset);
}

void ClusterSync::kick_here(room::Room& room, std::string_view member_id, std::string_view person_json) {
  std::vector<room::RoomMember*> chosen;
  for (const auto& seat : room.members()) {
    const room::MemberInfo& info = seat.member()->info();
    if ((!member_id.empty() && info.id == member_id) || (!person_json.empty() && info.person_json == person_json))
      chosen.push_back(seat.member());
  }
  for (room::RoomMember* member : chosen) member->kicked();  // each leaves as it closes: not while walking
}

bool ClusterSync::is_remote_member(const room::Room& room, std::string_view node, std::string_view id) const {
  return std::any_of(room.remote_members().begin(), room.remote_members().end(),
                     [&](const auto& remote) { return remote.info.id == id && remote.node == node; });
}

void ClusterSync::remote_join(room::Room& room, std::string_view node, std::string_view id,
                              std::string_view person_json) {
  if (node == node_ || is_remote_member(room, node, id)) return;
  auto& remotes = room.remote_members();
  remotes.push_back({{std::string(id), std::string(person_json)}, std::string(node)});
  room.broadcast(join_notice(room, remotes.back().info), nullptr);
}

void ClusterSync::remote_leave(room::Room& room, std::string_view node, std::string_view id, char reason) {
  if (node == node_) return;
  auto& remotes = room.remote_members();
  const auto it = std::find_if(remotes.begin(), remotes.end(),
                               [&](const auto& remote) { return remote.info.id == id && remote.node == node; });
  if (it == remotes.end()) return;
  const room::MemberInfo info = std::move(it->info);
  remotes.erase(it);
  if (room::Author* author = room.log().find_author(info.id)) room.log().unseat(author);
  room.broadcast(leave_notice(room, info, reason_of(reason)), nullptr);
}

void ClusterSync::remote_destroy(room::Room& room) {
  const std::string key = room.key();
  auto taken = loop_.rooms.take(key);
  if (!taken) return;
  bus_.detach(key);
  for (const auto& seat : taken->members()) seat.member()->room_destroyed(key);
}

void ClusterSync::announce_reset(room::Room& room) {
  if (!room.count(Protocol::kV2)) return;
  std::vector<std::string> state;
  for (const auto& entry : room.log().states()) state.push_back(v2_json_of(entry));
  const std::vector<std::string_view> views(state.begin(), state.end());
  room::Broadcast reset;
  reset[Protocol::kV2] = protocol::v2::reset_frame(room.epoch(), room.offset(), views);
  room.broadcast(reset, nullptr);
}

// Redis is unreachable: each room goes on here under a sequence of its own.
void ClusterSync::on_bus_down() {
  loop_.rooms.for_each([this](room::Room& room) {
    if (!room.clustered() || room.sync() != Sync::kShared) return;
    room.set_sync(Sync::kLocal);
    room.set_sequence(room::generate_epoch(), 0);
    room.log().clear_history();
    announce_reset(room);
  });
}

// A publication that never reached Redis: delivered here, in this node's own
// sequence (the room went local when the bus went down).
void ClusterSync::on_unsent(std::string_view room_key, std::string_view body) {
  room::Room* room = loop_.rooms.find(room_key);
  if (!room) return;
  if (room->sync() == Sync::kShared) {
    spdlog::warn("cluster: a publication in room {}... was refused by Redis and is lost", room_key.substr(0, 6));
    return;
  }
  const std::string text = cluster::publication_message(room->epoch(), room->offset() + 1, body);
  if (const auto message = cluster::parse_bus_message(text)) hand_out(*room, message->publication, message->offset);
}

}  // namespace rk::session
