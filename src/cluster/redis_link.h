#pragma once
// One non-blocking connection to Redis, driven by a loop's EventLoop:
// connect, AUTH and SELECT, then commands written in batches (whatever
// was queued in a turn goes out in one write) and replies parsed by hiredis's
// reader, handed on in order.
//
// It watches itself: a link with commands unanswered for longer than the
// timeout (a stopped or overloaded Redis keeps its socket open and says
// nothing) is closed like one whose socket broke.
#include <cstdint>
#include <string>
#include <string_view>

#include "loop/event_loop.h"
#include "redis/redis_url.h"
#include "redis/reply.h"

struct redisReader;

namespace rk::cluster {

class RedisLink final : public loop::IoHandler {
 public:
  class Listener {
   public:
    virtual void on_up(RedisLink& link) = 0;
    virtual void on_down(RedisLink& link, std::string_view why) = 0;
    // Every reply after the handshake, in order: answers to commands, and on
    // a subscribed link the messages Redis pushes.
    virtual void on_reply(RedisLink& link, redisReply* reply) = 0;

   protected:
    ~Listener() = default;
  };

  // `shard`: which of the listener's servers this link talks to.
  RedisLink(loop::EventLoop& loop, redis::RedisConfig config, std::string role, Listener& listener,
            std::size_t shard = 0);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Starts connecting; on_up follows the handshake, or on_down.
  void open();
  void close(std::string_view why);
  bool is_up() const { return state_ == State::kUp; }
  bool is_closed() const { return state_ == State::kClosed; }
  const std::string& role() const { return role_; }
  std::size_t shard() const { return shard_; }
  std::string where() const { return config_.where(); }

  // Where commands go (see redis::RespWriter); call queued(n) after adding n
  // commands that Redis will answer. Sent at flush().
  std::string& out() { return out_; }
  void queued(std::size_t commands);
  void flush();
  // Closes the link if an answer is overdue; pings it if it has been quiet.
  void check(loop::Clock::time_point now, loop::Clock::duration timeout);

  void on_io(std::uint32_t events) override;

 private:
  enum class State { kClosed, kConnecting, kHandshake, kUp };
  void on_connected();
  void read_ready();
  void write_ready();
  bool is_answer(const redisReply* reply) const;
  void watch(bool want_write);

  loop::EventLoop& loop_;
  redis::RedisConfig config_;
  std::string role_;
  Listener& listener_;
  const std::size_t shard_;
  State state_ = State::kClosed;
  int fd_ = -1;
  bool watching_write_ = false;
  redisReader* reader_ = nullptr;
  std::string out_;
  std::size_t written_ = 0;  // bytes of out_ already sent
  std::size_t handshake_replies_ = 0;
  std::size_t unanswered_ = 0;
  bool subscribed_ = false;
  bool ping_outstanding_ = false;  // a keep-alive PING's answer is ours, not the listener's  // after a (S)SUBSCRIBE: pushed messages are not answers
  loop::Clock::time_point waiting_since_{};  // the oldest unanswered command, or the last reply since
  loop::Clock::time_point last_sent_{};
};

}  // namespace rk::cluster
