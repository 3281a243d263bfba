#include "store/mariadb/mariadb_url.h"

#include <charconv>

#include "store/room_store.h"
#include "util/percent_decode.h"

namespace rk::store {
namespace {

constexpr std::string_view kScheme = "mariadb://";
constexpr std::string_view kShape =
    "expected mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE or mariadb://USER@/DATABASE?socket=PATH";

[[noreturn]] void fail(std::string_view why) {
  throw StoreOpenError("bad --store URL: " + std::string(why) + " (" + std::string(kShape) + ")");
}

std::string percent_decoded(std::string_view text) {
  auto decoded = percent_decode(text);
  if (!decoded) fail("bad or truncated %-escape");
  return std::move(*decoded);
}

template <typename T>
T parse_number(std::string_view text, T low, T high, std::string_view what) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high)
    fail(std::string(what) + " '" + std::string(text) + "' is not a number in range");
  return value;
}

void apply_query(MariadbConfig& config, std::string_view query) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) fail("query item without '='");
    const std::string_view name = item.substr(0, eq);
    const std::string value = percent_decoded(item.substr(eq + 1));
    if (name == "socket") {
      config.unix_socket = value;
    } else if (name == "pool") {
      config.pool_size = parse_number<int>(value, 1, 64, "pool");
    } else {
      fail("unknown option '" + std::string(name) + "'");
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

MariadbConfig parse_mariadb_url(std::string_view url) {
  if (!url.starts_with(kScheme)) fail("missing mariadb:// prefix");
  url.remove_prefix(kScheme.size());
  MariadbConfig config;

  const auto question = url.find('?');
  if (question != std::string_view::npos) {
    apply_query(config, url.substr(question + 1));
    url = url.substr(0, question);
  }
  const auto at = url.rfind('@');
  if (at == std::string_view::npos) fail("no USER@");
  const std::string_view credentials = url.substr(0, at);
  std::string_view location = url.substr(at + 1);

  const auto colon = credentials.find(':');
  config.user = percent_decoded(credentials.substr(0, colon));
  if (config.user.empty()) fail("empty user");
  if (colon != std::string_view::npos) {
    config.password = percent_decoded(credentials.substr(colon + 1));
    config.password_given = true;
  }

  const auto slash = location.find('/');
  if (slash == std::string_view::npos) fail("no /DATABASE");
  config.database = percent_decoded(location.substr(slash + 1));
  if (config.database.empty()) fail("empty database name");
  const std::string_view host_port = location.substr(0, slash);
  if (host_port.empty()) {
    if (config.unix_socket.empty()) fail("no host and no ?socket=");
    return config;
  }
  const auto port_colon = host_port.rfind(':');
  if (port_colon != std::string_view::npos && host_port.find(']') == std::string_view::npos) {
    config.host = std::string(host_port.substr(0, port_colon));
    config.port = parse_number<std::uint16_t>(host_port.substr(port_colon + 1), 1, 65535, "port");
  } else {
    config.host = std::string(host_port);
  }
  if (config.host.empty()) fail("empty host");
  return config;
}

}  // namespace rk::store
