#pragma once
// `roomkey serve` takes each setting from the first of: its flag, its
// ROOMKEY_<FLAG> environment variable, its key in the --config file (TOML),
// its default. The flags (settings.cpp) are the one table: variable and key
// names are derived from them, so no setting can exist in one place only.
#include <map>
#include <string>

namespace CLI {
class App;
}

namespace rk::config {

struct Settings;

// For each flag of `serve`: "flag", "environment ROOMKEY_X", "config file F,
// line N" or "default". --print-config shows it beside each value.
using SettingOrigins = std::map<std::string, std::string>;

// After `app` parsed the command line once, adds what the environment and the
// config file give for the flags not on it and parses again. Throws
// ConfigError naming the variable or key whose value is refused, and
// CLI::ParseError for a combination the flags refuse. Unknown ROOMKEY_*
// variables get a warning on stderr (other programs may share the prefix);
// an unknown key in the file is an error.
SettingOrigins apply_setting_layers(CLI::App& app, CLI::App& serve, int argc, const char* const* argv);

// Rules across settings, checked once all layers are in (ConfigError).
void check_settings(const Settings& settings);

}  // namespace rk::config
