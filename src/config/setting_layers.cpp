#include "config/setting_layers.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <set>
#include <vector>

#include "config/config_error.h"
#include "config/config_file.h"
#include "config/settings.h"

extern char** environ;

namespace rk::config {
namespace {

// Not a flag, so not derived from the table: the store's password itself.
constexpr std::string_view kStorePasswordVariable = "ROOMKEY_STORE_PASSWORD";

struct Fallback {
  std::string token;  // --flag=value
  std::string origin;
};

bool layered(const CLI::Option& option, const CLI::App& serve) {
  return &option != serve.get_help_ptr() && !option.get_lnames().empty() &&
         option.get_lnames().front() != "print-config";
}

// Each value from a variable or the file is parsed on its own first, so a
// refusal names where the value came from rather than a flag nobody typed.
void check_alone(const Fallback& fallback) {
  CLI::App scratch;
  Settings ignored;
  add_serve_flags(scratch, ignored);
  std::vector<std::string> reversed_args{fallback.token};
  try {
    scratch.parse(reversed_args);
  } catch (const CLI::ParseError& error) {
    throw ConfigError(fallback.origin + ": " + error.what());
  }
}

void warn_about_unknown_variables(const std::set<std::string>& known) {
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("ROOMKEY_")) continue;
    const std::string name(text.substr(0, text.find('=')));
    if (!known.contains(name) && name != kStorePasswordVariable)
      std::cerr << "roomkey: warning: ignoring " << name << ": no such setting (roomkey serve --help)\n";
  }
}

std::string config_file_path(const CLI::App& serve) {
  const CLI::Option* config = serve.get_option("--config");
  if (config->count() > 0) return config->as<std::string>();
  const char* from_environment = std::getenv(environment_name_of_flag("config").c_str());
  return from_environment ? from_environment : "";
}

}  // namespace

SettingOrigins apply_setting_layers(CLI::App& app, CLI::App& serve, int argc, const char* const* argv) {
  const std::string path = config_file_path(serve);
  std::map<std::string, FileSetting> file;
  if (!path.empty()) file = read_config_file(path);
  if (const auto nested = file.find("config"); nested != file.end())
    throw ConfigError("config file " + path + ", line " + std::to_string(nested->second.line) +
                      ": 'config': a config file cannot name another");

  SettingOrigins origins;
  std::vector<Fallback> fallbacks;
  std::set<std::string> known_variables;
  for (const CLI::Option* option : serve.get_options()) {
    if (!layered(*option, serve)) continue;
    const std::string flag = option->get_lnames().front();
    const std::string variable = environment_name_of_flag(flag);
    known_variables.insert(variable);
    const auto in_file = file.find(flag);
    if (option->count() > 0) {
      origins[flag] = "flag";
    } else if (const char* value = std::getenv(variable.c_str())) {
      fallbacks.push_back({"--" + flag + "=" + value, "environment " + variable});
      origins[flag] = fallbacks.back().origin;
    } else if (in_file != file.end() && in_file->second.empty_list) {
      origins[flag] = "config file " + path + ", line " + std::to_string(in_file->second.line) + ", '" +
                      key_of_flag(flag) + "'";  // [] is the default: nothing to pass
    } else if (in_file != file.end()) {
      fallbacks.push_back({"--" + flag + "=" + in_file->second.value,
                           "config file " + path + ", line " + std::to_string(in_file->second.line) + ", '" +
                               key_of_flag(flag) + "'"});
      origins[flag] = fallbacks.back().origin;
    } else {
      origins[flag] = "default";
    }
    if (in_file != file.end()) file.erase(in_file);
  }
  if (!file.empty()) {
    const auto& [flag, setting] = *file.begin();
    throw ConfigError("config file " + path + ", line " + std::to_string(setting.line) + ": unknown key '" +
                      key_of_flag(flag) + "' (the keys are the flags of 'roomkey serve --help', with _ for -)");
  }
  warn_about_unknown_variables(known_variables);
  if (fallbacks.empty()) return origins;

  for (const Fallback& fallback : fallbacks) check_alone(fallback);
  std::vector<std::string> args(argv, argv + argc);
  for (const Fallback& fallback : fallbacks) args.push_back(fallback.token);
  std::vector<const char*> pointers;
  for (const std::string& arg : args) pointers.push_back(arg.c_str());
  app.parse(static_cast<int>(pointers.size()), pointers.data());
  return origins;
}

void check_settings(const Settings& settings) {
  if (settings.tls_cert.empty() != settings.tls_key.empty())
    throw ConfigError("--tls-cert and --tls-key go together: give both or neither");
}

}  // namespace rk::config
