#pragma once
// Reads a --config file: TOML, one flat table whose keys are the flags of
// `roomkey serve` without their dashes, `-` written `_` (max_room_members).
#include <map>
#include <string>

namespace rk::config {

struct FileSetting {
  std::string value;  // as a flag's argument: numbers printed, arrays joined with ','
  int line = 0;
  bool empty_list = false;  // `[]`: the setting's default (an empty list), no argument
};

// Key (with `-`, as the flag is spelled) -> value. Throws ConfigError for a
// missing or unreadable file, a TOML syntax error (with line and column), a
// nested table, or a value of a type no flag takes.
std::map<std::string, FileSetting> read_config_file(const std::string& path);

// `max-room-members` <-> `max_room_members` <-> `ROOMKEY_MAX_ROOM_MEMBERS`.
std::string key_of_flag(const std::string& flag);
std::string environment_name_of_flag(const std::string& flag);

}  // namespace rk::config
