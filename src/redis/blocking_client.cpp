#include "redis/blocking_client.h"

#include <spdlog/spdlog.h>
#include <sys/time.h>

#include "redis/handshake.h"

namespace rk::redis {
namespace {

constexpr auto kReconnectBackoff = std::chrono::seconds(1);

timeval as_timeval(int ms) { return timeval{ms / 1000, (ms % 1000) * 1000}; }

// Replies that mean "this configuration will never work".
bool is_refusal(std::string_view error) {
  return error.starts_with("WRONGPASS") || error.starts_with("NOAUTH") || error.starts_with("NOPERM") ||
         error.starts_with("ERR invalid password") || error.starts_with("ERR AUTH") ||
         error.starts_with("ERR DB index") || error.starts_with("ERR invalid DB index") ||
         error.starts_with("ERR SELECT is not allowed in cluster mode");
}

}  // namespace

BlockingClient::BlockingClient(RedisConfig config, std::string role, bool quiet)
    : config_(std::move(config)), role_(std::move(role)), quiet_(quiet) {}

BlockingClient::~BlockingClient() { disconnect(); }

void BlockingClient::disconnect() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

bool BlockingClient::connect_at_startup() { return connect(true); }

void BlockingClient::note_down(std::string_view why) {
  if (!was_down_) {
    spdlog::log(quiet_ ? spdlog::level::debug : spdlog::level::err,
                "Redis {} ({}) unreachable: {}. Rooms in memory keep working; creates and joins of keys not in "
                  "memory get a 'Room store unavailable' error until it is back.",
                  config_.where(), role_, why);
  }
  was_down_ = true;
  next_attempt_ = std::chrono::steady_clock::now() + kReconnectBackoff;
  disconnect();
}

bool BlockingClient::connect(bool at_startup) {
  const timeval connect_timeout = as_timeval(config_.connect_timeout_ms);
  context_ = config_.unix_socket.empty()
                 ? redisConnectWithTimeout(config_.host.c_str(), config_.port, connect_timeout)
                 : redisConnectUnixWithTimeout(config_.unix_socket.c_str(), connect_timeout);
  if (!context_ || context_->err) {
    note_down(context_ ? context_->errstr : "out of memory");
    return false;
  }
  redisSetTimeout(context_, as_timeval(config_.io_timeout_ms));
  if (config_.unix_socket.empty()) redisEnableKeepAlive(context_);
  if (!handshake(at_startup)) return false;
  if (was_down_ && !quiet_) spdlog::info("Redis {} ({}) is reachable again", config_.where(), role_);
  was_down_ = false;
  return true;
}

// AUTH and SELECT, pipelined, before anything else is sent.
bool BlockingClient::handshake(bool at_startup) {
  std::string commands;
  const std::size_t count = write_handshake(config_, commands);
  redisContext* context = context_;
  redisAppendFormattedCommand(context, commands.data(), commands.size());
  for (std::size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK) {
      note_down(context->errstr);
      return false;
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    if (is_error(reply.get())) {
      const std::string error(text_of(reply.get()));
      if (at_startup && is_refusal(error))
        throw ConfigurationError("Redis at " + config_.where() + " refused roomkey: " + error);
      // LOADING (a restart reading its AOF), or a refusal after startup: wait.
      note_down(error);
      return false;
    }
  }
  return true;
}

std::optional<std::vector<ReplyPtr>> BlockingClient::run(std::string_view commands, std::size_t count) {
  if (!context_) {
    if (std::chrono::steady_clock::now() < next_attempt_ || !connect(false)) return std::nullopt;
  }
  redisAppendFormattedCommand(context_, commands.data(), commands.size());
  std::vector<ReplyPtr> replies;
  replies.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK) {
      note_down(std::string("connection lost: ") + context_->errstr);
      return std::nullopt;
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

}  // namespace rk::redis
