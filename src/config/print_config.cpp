#include "config/print_config.h"

#include <CLI/CLI.hpp>

#include <charconv>
#include <sstream>

#include "config/config_file.h"

namespace rk::config {
namespace {

std::string toml_string(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string quoted = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      quoted += "\\u00";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 15];
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

bool is_text(const CLI::Option& option) { return option.get_type_name().starts_with("TEXT"); }

// CLI11 keeps a default of 30 days as "2.592e+06"; written back shortest it is 2592000.
std::string plain_number(const std::string& value) {
  if (value.find_first_of(".eE") == std::string::npos) return value;
  double number = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size()) return value;
  char text[64];
  return std::string(text, std::to_chars(text, text + sizeof text, number).ptr);
}

std::vector<std::string> values_of(const CLI::Option& option) {
  if (option.get_type_size() == 0) return {option.count() > 0 && option.as<bool>() ? "true" : "false"};
  if (option.count() > 0) return option.results();
  const std::string fallback = option.get_default_str();
  if (fallback.empty() || fallback == "[]") return {};
  return {fallback};
}

std::string toml_value(const CLI::Option& option, const std::vector<std::string>& values) {
  const bool list = option.get_items_expected_max() > 1;
  std::string text;
  for (const std::string& value : values) {
    if (!text.empty()) text += ", ";
    const std::string shown = mask_url_password(value);
    text += is_text(option) ? toml_string(shown) : plain_number(shown);
  }
  return list ? "[" + text + "]" : text;
}

}  // namespace

std::string mask_url_password(const std::string& value) {
  const std::size_t scheme_end = value.find("://");
  if (scheme_end == std::string::npos) return value;
  const std::size_t authority = scheme_end + 3;
  // A password may hold '@', '/' or '?': everything from the first ':' of the
  // authority to the last '@' is masked. That may hide more than the
  // password in an odd URL (an '@' in a socket path), never less.
  const std::size_t at = value.rfind('@');
  if (at == std::string::npos || at < authority) return value;
  const std::size_t colon = value.find(':', authority);
  if (colon == std::string::npos || colon > at || value.find('/', authority) < colon) return value;
  return value.substr(0, colon + 1) + "***" + value.substr(at);
}

std::string effective_settings_toml(const CLI::App& serve, const SettingOrigins& origins) {
  std::ostringstream out;
  out << "# roomkey serve: the settings in effect (flag > ROOMKEY_* environment > config file > default)\n";
  for (const CLI::Option* option : serve.get_options()) {
    if (option->get_lnames().empty()) continue;
    const std::string flag = option->get_lnames().front();
    const auto origin = origins.find(flag);
    if (origin == origins.end() || flag == "config") continue;
    const std::vector<std::string> values = values_of(*option);
    if (values.empty()) {
      out << "# " << key_of_flag(flag) << " =   (not set)\n";
      continue;
    }
    out << key_of_flag(flag) << " = " << toml_value(*option, values) << "  # " << origin->second << "\n";
  }
  return out.str();
}

}  // namespace rk::config
