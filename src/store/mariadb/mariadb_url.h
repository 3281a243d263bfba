#pragma once
// `--store mariadb://...`: the connection settings and their parser.
#include <cstdint>
#include <string>
#include <string_view>

namespace rk::store {

struct MariadbConfig {
  std::string user;
  std::string password;
  bool password_given = false;
  std::string host = "localhost";
  std::uint16_t port = 3306;
  std::string unix_socket;  // when set, host and port are not used
  std::string database;
  int pool_size = 4;
  int connect_timeout_s = 3;
  int io_timeout_s = 10;
};

// Accepts
//   mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?pool=N]
//   mariadb://USER[:PASSWORD]@/DATABASE?socket=/path/to/mysqld.sock[&pool=N]
// (RFC 3986, read by Boost.URL): an IPv6 HOST goes in brackets
// ([::1]:3306), and %XX escapes work everywhere, as they must for a '@',
// ':', '/' or '?' in USER or PASSWORD. Throws StoreSpecError.
MariadbConfig parse_mariadb_url(std::string_view url);

}  // namespace rk::store
