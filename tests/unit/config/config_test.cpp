#include <gtest/gtest.h>

#include <fstream>

#include "config/config_error.h"
#include "config/config_file.h"
#include "config/print_config.h"

namespace rk::config {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigNames, AreDerivedFromTheFlag) {
  EXPECT_EQ(key_of_flag("max-room-members"), "max_room_members");
  EXPECT_EQ(environment_name_of_flag("max-room-members"), "ROOMKEY_MAX_ROOM_MEMBERS");
  EXPECT_EQ(environment_name_of_flag("port"), "ROOMKEY_PORT");
}

TEST(MaskUrlPassword, HidesOnlyThePassword) {
  EXPECT_EQ(mask_url_password("redis://:s3cret@h:6379/2"), "redis://:***@h:6379/2");
  EXPECT_EQ(mask_url_password("mariadb://user:p@ss@h/db"), "mariadb://user:***@h/db");
  EXPECT_EQ(mask_url_password("mariadb://user@h/db"), "mariadb://user@h/db");
  EXPECT_EQ(mask_url_password("redis://h:6379"), "redis://h:6379");
  EXPECT_EQ(mask_url_password("redis://:p?w/x@h:6379"), "redis://:***@h:6379");
  EXPECT_EQ(mask_url_password("mariadb://u@/db?socket=/run/ab"), "mariadb://u@/db?socket=/run/ab");
  EXPECT_EQ(mask_url_password("sqlite:./roomkey.db"), "sqlite:./roomkey.db");
}

TEST(ReadConfigFile, GivesEachKeyAsAFlagArgumentWithItsLine) {
  const auto settings = read_config_file(write_file(
      "ok.toml", "port = 9000\nstore = \"memory\"\nproxy_protocol = true\nhistory_ttl = 1.5\n"
                 "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n"));
  EXPECT_EQ(settings.at("port").value, "9000");
  EXPECT_EQ(settings.at("port").line, 1);
  EXPECT_EQ(settings.at("store").value, "memory");
  EXPECT_EQ(settings.at("proxy-protocol").value, "true");
  EXPECT_EQ(settings.at("history-ttl").value, "1.5");
  EXPECT_EQ(settings.at("trusted-proxies").value, "10.0.0.0/8,::1");
  EXPECT_EQ(settings.at("trusted-proxies").line, 5);
}

TEST(ReadConfigFile, RefusesWhatNoFlagTakes) {
  for (const char* text : {"[server]\nport = 1\n", "when = 1979-05-27\n", "list = [\"a,b\"]\n", "port = \n",
                           "list = [[1]]\n"}) {
    EXPECT_THROW(read_config_file(write_file("bad.toml", text)), ConfigError) << text;
  }
  EXPECT_THROW(read_config_file(testing::TempDir() + "no-such-file.toml"), ConfigError);
}

}  // namespace
}  // namespace rk::config
