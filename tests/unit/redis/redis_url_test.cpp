#include "redis/redis_url.h"

#include <gtest/gtest.h>

#include "redis/resp_writer.h"
#include "redis/room_names.h"

namespace rk::redis {
namespace {

TEST(RedisUrlTest, HostPortDatabaseAndPassword) {
  const auto config = parse_redis_url("redis://:p%40ss@cache.local:6380/4");
  EXPECT_EQ(config.host, "cache.local");
  EXPECT_EQ(config.port, 6380);
  EXPECT_EQ(config.database, 4);
  EXPECT_EQ(config.password, "p@ss");
  EXPECT_TRUE(config.password_given);
  EXPECT_TRUE(config.user.empty());
  EXPECT_TRUE(config.unix_socket.empty());
  EXPECT_EQ(config.where(), "cache.local:6380");
}

TEST(RedisUrlTest, DefaultsAndAclUser) {
  const auto plain = parse_redis_url("redis://10.0.0.5");
  EXPECT_EQ(plain.port, 6379);
  EXPECT_EQ(plain.database, 0);
  EXPECT_FALSE(plain.password_given);
  const auto with_user = parse_redis_url("redis://app:secret@10.0.0.5/");
  EXPECT_EQ(with_user.user, "app");
  EXPECT_EQ(with_user.password, "secret");
  EXPECT_EQ(with_user.database, 0);
}

TEST(RedisUrlTest, Ipv6InBrackets) {
  const auto config = parse_redis_url("redis://[::1]:7000/2");
  EXPECT_EQ(config.host, "::1");
  EXPECT_EQ(config.port, 7000);
  EXPECT_EQ(config.database, 2);
  EXPECT_EQ(config.where(), "[::1]:7000");
}

TEST(RedisUrlTest, UnixSocket) {
  const auto config = parse_redis_url("redis+unix://:pw@/run/redis/redis.sock?db=9");
  EXPECT_EQ(config.unix_socket, "/run/redis/redis.sock");
  EXPECT_EQ(config.database, 9);
  EXPECT_EQ(config.password, "pw");
  EXPECT_EQ(config.where(), "unix:/run/redis/redis.sock");
  EXPECT_EQ(parse_redis_url("redis+unix:///tmp/r.sock").database, 0);
}

TEST(RedisUrlTest, MistakesAreNamed) {
  const auto complaint = [](std::string_view url) {
    try {
      parse_redis_url(url);
    } catch (const UrlError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(complaint("http://host").find("redis://"), std::string::npos);
  EXPECT_NE(complaint("redis://").find("empty host"), std::string::npos);
  EXPECT_NE(complaint("redis://h:0").find("port"), std::string::npos);
  EXPECT_NE(complaint("redis://h:65536").find("port"), std::string::npos);
  EXPECT_NE(complaint("redis://h/db").find("database"), std::string::npos);
  EXPECT_NE(complaint("redis://h?x=1").find("options"), std::string::npos);
  EXPECT_NE(complaint("redis://nocolon@h").find("':'"), std::string::npos);
  EXPECT_NE(complaint("redis://:%zz@h").find("escape"), std::string::npos);
  EXPECT_NE(complaint("redis://[::1").find("'['"), std::string::npos);
  EXPECT_NE(complaint("redis+unix://rel.sock").find("absolute"), std::string::npos);
  EXPECT_NE(complaint("redis+unix:///s.sock?pool=2").find("db=N"), std::string::npos);
  // The password is never part of a message.
  EXPECT_EQ(complaint("redis://:hunter2@h:99999").find("hunter2"), std::string::npos);
}

TEST(RespWriterTest, WritesBinarySafeCommands) {
  std::string out;
  RespWriter writer(out);
  writer.all({"SET", std::string_view("a\r\nb\0c", 6)});
  writer.command(2).arg("INCRBY").arg(std::int64_t{-42});
  EXPECT_EQ(out, std::string("*2\r\n$3\r\nSET\r\n$6\r\na\r\nb\0c\r\n*2\r\n$6\r\nINCRBY\r\n$3\r\n-42\r\n", 50));
}

TEST(RoomNamesTest, EveryPartOfARoomSharesItsHashTag) {
  EXPECT_EQ(room_name("AbC-_9", RoomPart::kRoom), "roomkey:{AbC-_9}:room");
  EXPECT_EQ(room_name("AbC-_9", RoomPart::kChannel), "roomkey:{AbC-_9}:bus");
  EXPECT_EQ(room_name("k", RoomPart::kLog), "roomkey:{k}:log");
}

}  // namespace
}  // namespace rk::redis
