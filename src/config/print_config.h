#pragma once
#include <string>

#include "config/setting_layers.h"

namespace rk::config {

// `roomkey serve --print-config`: every setting as a TOML key with its value
// in effect and, as a comment, where it came from. Unset ones are commented
// out, so the output is itself a valid --config file. Passwords inside URLs
// are masked.
std::string effective_settings_toml(const CLI::App& serve, const SettingOrigins& origins);

// `redis://:secret@host` -> `redis://:***@host`; other text unchanged.
std::string mask_url_password(const std::string& value);

}  // namespace rk::config
