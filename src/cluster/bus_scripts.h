#pragma once
// The Lua scripts the bus runs in Redis. Each touches one room's keys only
// (all in one hash slot) and publishes on that room's sharded channel, so each
// runs atomically on whichever shard holds the room. Loaded once per
// connection (SCRIPT LOAD) and run by their SHA1 (EVALSHA).
#include <string_view>

namespace rk::cluster::scripts {

// KEYS seq, log, state. ARGV channel, body, history size, history ttl ms,
// state field ('' if not a state), state ttl ms, sequence ttl ms, epoch for a
// new sequence. Takes the room's next offset, keeps and publishes the
// message; returns the offset.
inline constexpr std::string_view kPublish = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[8]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[7])
local o = tostring(offset)
local message = 'P' .. #epoch .. ':' .. epoch .. #o .. ':' .. o .. ARGV[2]
local keep = tonumber(ARGV[3])
if keep > 0 then
  redis.call('RPUSH', KEYS[2], message)
  redis.call('LTRIM', KEYS[2], -keep, -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[5], message)
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
redis.call('SPUBLISH', ARGV[1], message)
return offset)lua";

// KEYS seq, log, state, members. ARGV epoch for a new sequence, sequence ttl
// ms, channel, this node, then (field, join message) pairs of this node's
// members to (re-)register; each new one is announced, and this node's
// entries not among them (members that left while Redis was away) leave.
// Returns the room as it stands: {epoch, offset, history, states, members}.
inline constexpr std::string_view kAttach = R"lua(
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)
  redis.call('DEL', KEYS[2], KEYS[3])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local mine = {}
for i = 5, #ARGV, 2 do
  mine[ARGV[i]] = true
  if redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 1]) == 1 then redis.call('SPUBLISH', ARGV[3], ARGV[i + 1]) end
end
local prefix = ARGV[4] .. '/'
for _, field in ipairs(redis.call('HKEYS', KEYS[4])) do
  if string.sub(field, 1, #prefix) == prefix and not mine[field] then
    redis.call('HDEL', KEYS[4], field)
    local id = string.sub(field, #prefix + 1)
    redis.call('SPUBLISH', ARGV[3], 'L' .. #ARGV[4] .. ':' .. ARGV[4] .. #id .. ':' .. id .. '1:c')
  end
end
return {epoch, redis.call('HGET', KEYS[1], 'offset'), redis.call('LRANGE', KEYS[2], 0, -1),
        redis.call('HVALS', KEYS[3]), redis.call('HVALS', KEYS[4])})lua";

// KEYS members. ARGV channel, field, join message.
inline constexpr std::string_view kJoin = R"lua(
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('SPUBLISH', ARGV[1], ARGV[3])
return 1)lua";

// KEYS members. ARGV channel, field, leave message. Announced only if the
// member was still registered (a reaper may have been first).
inline constexpr std::string_view kLeave = R"lua(
if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then redis.call('SPUBLISH', ARGV[1], ARGV[3]) return 1 end
return 0)lua";

// KEYS members. ARGV channel, node. The node is gone (its heartbeat
// expired): each of its members leaves with reason timeout, announced once
// whichever node gets here first.
inline constexpr std::string_view kReap = R"lua(
local prefix = ARGV[2] .. '/'
local fields = redis.call('HKEYS', KEYS[1])
local reaped = 0
for _, field in ipairs(fields) do
  if string.sub(field, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[1], field)
    local id = string.sub(field, #prefix + 1)
    redis.call('SPUBLISH', ARGV[1], 'L' .. #ARGV[2] .. ':' .. ARGV[2] .. #id .. ':' .. id .. '1:t')
    reaped = reaped + 1
  end
end
return reaped)lua";

}  // namespace rk::cluster::scripts
