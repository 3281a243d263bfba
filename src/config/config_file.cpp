#include "config/config_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fstream>

#include "config/config_error.h"

namespace rk::config {
namespace {

std::string number_text(double number) {
  char text[64];
  const auto end = std::to_chars(text, text + sizeof text, number).ptr;
  return std::string(text, end);
}

// A scalar as a flag's argument; nullopt for types no flag takes (dates, tables).
std::optional<std::string> scalar_text(const toml::node& node) {
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
  if (const auto* real = node.as_floating_point()) return number_text(real->get());
  if (const auto* boolean = node.as_boolean()) return boolean->get() ? "true" : "false";
  return std::nullopt;
}

[[noreturn]] void fail_at(const std::string& path, const toml::node& node, const std::string& key,
                          const std::string& why) {
  throw ConfigError("config file " + path + ", line " + std::to_string(node.source().begin.line) + ": '" + key +
                    "': " + why);
}

std::string value_text(const std::string& path, const std::string& key, const toml::node& node) {
  if (const auto* array = node.as_array()) {
    // Lists (trusted_proxies, allowed_origins) are comma-separated as flags.
    std::string joined;
    for (const toml::node& element : *array) {
      const auto text = scalar_text(element);
      if (!text) fail_at(path, element, key, "a list may hold strings and numbers only");
      if (text->find(',') != std::string::npos) fail_at(path, element, key, "a list element may not contain ','");
      joined += (joined.empty() ? "" : ",") + *text;
    }
    return joined;
  }
  if (node.is_table()) fail_at(path, node, key, "unknown section: settings are top-level keys (roomkey serve --help)");
  const auto text = scalar_text(node);
  if (!text) fail_at(path, node, key, "expected a string, number, boolean or list");
  return *text;
}

}  // namespace

std::map<std::string, FileSetting> read_config_file(const std::string& path) {
  std::ifstream probe(path);
  if (!probe) throw ConfigError("config file " + path + ": cannot read it: " + std::strerror(errno));
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    throw ConfigError("config file " + path + ", line " + std::to_string(error.source().begin.line) + ", column " +
                      std::to_string(error.source().begin.column) + ": " + std::string(error.description()));
  }
  std::map<std::string, FileSetting> settings;
  for (const auto& [key, node] : table) {
    std::string flag(key.str());
    std::replace(flag.begin(), flag.end(), '_', '-');
    const bool empty_list = node.is_array() && node.as_array()->empty();
    settings[flag] = {value_text(path, std::string(key.str()), node), static_cast<int>(node.source().begin.line),
                      empty_list};
  }
  return settings;
}

std::string key_of_flag(const std::string& flag) {
  std::string key = flag;
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::string environment_name_of_flag(const std::string& flag) {
  std::string name = "ROOMKEY_" + key_of_flag(flag);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace rk::config
