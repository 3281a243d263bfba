#include "redis/redis_url.h"

#include <charconv>

#include "util/percent_decode.h"

namespace rk::redis {
namespace {

constexpr std::string_view kTcpScheme = "redis://";
constexpr std::string_view kUnixScheme = "redis+unix://";
constexpr std::string_view kShape =
    "expected redis://[:PASSWORD@]HOST[:PORT][/DB] or redis+unix://[:PASSWORD@]/PATH/TO/redis.sock[?db=DB]";

[[noreturn]] void fail(std::string_view why) {
  throw UrlError("bad Redis URL: " + std::string(why) + " (" + std::string(kShape) + ")");
}

std::string decoded(std::string_view text) {
  auto out = percent_decode(text);
  if (!out) fail("bad or truncated %-escape");
  return std::move(*out);
}

template <typename T>
T number(std::string_view text, T low, T high, std::string_view what) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low || value > high)
    fail(std::string(what) + " '" + std::string(text) + "' is not a number in range");
  return value;
}

// USER:PASSWORD@ or :PASSWORD@ (or nothing) in front of the location.
std::string_view take_credentials(std::string_view rest, RedisConfig& config) {
  const auto at = rest.rfind('@');
  if (at == std::string_view::npos) return rest;
  const std::string_view credentials = rest.substr(0, at);
  const auto colon = credentials.find(':');
  if (colon == std::string_view::npos) fail("credentials need a ':' before the password");
  config.user = decoded(credentials.substr(0, colon));
  config.password = decoded(credentials.substr(colon + 1));
  config.password_given = true;
  return rest.substr(at + 1);
}

void take_host_port(std::string_view host_port, RedisConfig& config) {
  if (host_port.starts_with('[')) {  // [IPv6]:PORT
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) fail("unclosed '[' in the host");
    config.host = std::string(host_port.substr(1, close - 1));
    host_port.remove_prefix(close + 1);
    if (!host_port.empty()) {
      if (!host_port.starts_with(':')) fail("junk after ']'");
      config.port = number<std::uint16_t>(host_port.substr(1), 1, 65535, "port");
    }
  } else {
    const auto colon = host_port.find(':');
    config.host = std::string(host_port.substr(0, colon));
    if (colon != std::string_view::npos)
      config.port = number<std::uint16_t>(host_port.substr(colon + 1), 1, 65535, "port");
  }
  if (config.host.empty()) fail("empty host");
}

}  // namespace

std::string RedisConfig::where() const {
  if (!unix_socket.empty()) return "unix:" + unix_socket;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

RedisConfig parse_redis_url(std::string_view url) {
  RedisConfig config;
  if (url.starts_with(kUnixScheme)) {
    std::string_view rest = take_credentials(url.substr(kUnixScheme.size()), config);
    const auto question = rest.find('?');
    if (question != std::string_view::npos) {
      const std::string_view query = rest.substr(question + 1);
      if (!query.starts_with("db=") || query.find('&') != std::string_view::npos)
        fail("the only option is ?db=N");
      config.database = number<int>(query.substr(3), 0, 1 << 20, "database");
      rest = rest.substr(0, question);
    }
    if (!rest.starts_with('/')) fail("the socket path must be absolute");
    config.unix_socket = std::string(rest);
    return config;
  }
  if (!url.starts_with(kTcpScheme)) fail("missing redis:// prefix");
  std::string_view rest = take_credentials(url.substr(kTcpScheme.size()), config);
  if (rest.find('?') != std::string_view::npos) fail("redis:// takes no ?options");
  // A '/' only counts as the database's after the host (and an IPv6 ']').
  const auto slash = rest.find('/', rest.starts_with('[') ? rest.find(']') : 0);
  take_host_port(rest.substr(0, slash), config);
  if (slash != std::string_view::npos && slash + 1 < rest.size())
    config.database = number<int>(rest.substr(slash + 1), 0, 1 << 20, "database");
  return config;
}

}  // namespace rk::redis
