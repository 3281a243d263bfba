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

TEST(MariadbUrl, ReadsAnIpv6HostInBrackets) {
  const auto c = parse_mariadb_url("mariadb://u:p@[::1]:3306/db");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 3306);
  EXPECT_EQ(c.user, "u");
  EXPECT_EQ(c.password, "p");
  EXPECT_EQ(c.database, "db");
  const auto without_port = parse_mariadb_url("mariadb://u@[2001:db8::17]/rooms?pool=3");
  EXPECT_EQ(without_port.host, "2001:db8::17");
  EXPECT_EQ(without_port.port, 3306);
  EXPECT_EQ(without_port.pool_size, 3);
}

TEST(MariadbUrl, KeepsAPlusInTheSocketPathAndDecodesEscapesThere) {
  const auto c = parse_mariadb_url("mariadb://u@/db?socket=/run/a+b%20c/mysqld.sock");
  EXPECT_EQ(c.unix_socket, "/run/a+b c/mysqld.sock");
}

TEST(MariadbUrl, ErrorsNameTheProblemButNeverThePassword) {
  const auto complaint = [](std::string_view url) {
    try {
      parse_mariadb_url(url);
    } catch (const StoreOpenError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(complaint("mariadb://u@host:99999/db").find("port '99999'"), std::string::npos);
  EXPECT_NE(complaint("mariadb://u@h/db?colour=blue").find("unknown option 'colour'"), std::string::npos);
  EXPECT_NE(complaint("mariadb://u@/db").find("no host and no ?socket="), std::string::npos);
  EXPECT_NE(complaint("mariadb://u@[::1/db").find("not a URL"), std::string::npos);
  EXPECT_NE(complaint("mysql://u@h/db").find("mariadb://"), std::string::npos);
  EXPECT_EQ(complaint("mariadb://u:hunter2@[::1:3306/db").find("hunter2"), std::string::npos);
  EXPECT_EQ(complaint("mariadb://u:hunter2@h:99999/db").find("hunter2"), std::string::npos);
}

TEST(MariadbUrl, RejectsMalformedUrlsClearly) {
  for (auto url : {"mariadb://", "mariadb://host/db", "mariadb://u@host", "mariadb://u@host/", "mariadb://@host/db",
                   "mariadb://u@host:99999/db", "mariadb://u@host:x/db", "mariadb://u@/db",
                   "mariadb://u@h/db?pool=0", "mariadb://u@h/db?colour=blue", "mariadb://u:%4@h/db",
                   "mariadb://u:%zz@h/db", "mysql://u@h/db", "mariadb://u@[::1/db", "mariadb://u@[::1]:x/db",
                   "mariadb://u@h/db#frag", "mariadb://u@:3306/db?socket=/s"}) {
    EXPECT_THROW(parse_mariadb_url(url), StoreOpenError) << url;
  }
}

}  // namespace
}  // namespace rk::store
