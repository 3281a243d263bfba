#include "store/mariadb/mariadb_url.h"

#include <gtest/gtest.h>

#include "store/room_store.h"

namespace rk::store {
namespace {

TEST(MariadbUrl, ReadsTheTcpForm) {
  const auto c = parse_mariadb_url("mariadb://app:s3cret@db.example:3307/rooms");
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.password, "s3cret");
  EXPECT_TRUE(c.password_given);
  EXPECT_EQ(c.host, "db.example");
  EXPECT_EQ(c.port, 3307);
  EXPECT_EQ(c.database, "rooms");
  EXPECT_TRUE(c.unix_socket.empty());
}

TEST(MariadbUrl, DefaultsThePortAndLeavesThePasswordOpen) {
  const auto c = parse_mariadb_url("mariadb://app@localhost/rooms");
  EXPECT_EQ(c.port, 3306);
  EXPECT_FALSE(c.password_given);
}

TEST(MariadbUrl, ReadsTheUnixSocketFormAndOptions) {
  const auto c = parse_mariadb_url("mariadb://app@/rooms?socket=/run/mysqld/mysqld.sock&pool=2");
  EXPECT_EQ(c.unix_socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(c.pool_size, 2);
  EXPECT_EQ(c.database, "rooms");
}

TEST(MariadbUrl, DecodesPercentEscapesInCredentials) {
  const auto c = parse_mariadb_url("mariadb://a%40b:p%3Aw%2Fd%25@h/db");
  EXPECT_EQ(c.user, "a@b");
  EXPECT_EQ(c.password, "p:w/d%");
}

TEST(MariadbUrl, RejectsMalformedUrlsClearly) {
  for (auto url : {"mariadb://", "mariadb://host/db", "mariadb://u@host", "mariadb://u@host/", "mariadb://@host/db",
                   "mariadb://u@host:99999/db", "mariadb://u@host:x/db", "mariadb://u@/db",
                   "mariadb://u@h/db?pool=0", "mariadb://u@h/db?colour=blue", "mariadb://u:%4@h/db",
                   "mariadb://u:%zz@h/db", "mysql://u@h/db"}) {
    EXPECT_THROW(parse_mariadb_url(url), StoreOpenError) << url;
  }
}

}  // namespace
}  // namespace rk::store
