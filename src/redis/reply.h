#pragma once
// hiredis's parsed replies, owned.
#include <hiredis/hiredis.h>

#include <memory>
#include <string_view>

namespace rk::redis {

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

inline bool is_error(const redisReply* reply) { return !reply || reply->type == REDIS_REPLY_ERROR; }
inline std::string_view text_of(const redisReply* reply) {
  if (!reply || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS &&
                 reply->type != REDIS_REPLY_ERROR))
    return {};
  return {reply->str, reply->len};
}

}  // namespace rk::redis
