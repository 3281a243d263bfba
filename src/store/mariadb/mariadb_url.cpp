#include "store/mariadb/mariadb_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

#include "store/room_store.h"

namespace rk::store {
namespace {

namespace urls = boost::urls;

constexpr std::string_view kScheme = "mariadb";
constexpr std::string_view kShape =
    "expected mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE or mariadb://USER@/DATABASE?socket=PATH";

[[noreturn]] void fail(std::string_view why) {
  throw StoreSpecError("bad --store URL: " + std::string(why) + " (" + std::string(kShape) + ")");
}

template <typename T>
T parse_number(std::string_view text, T low, T high, std::string_view what) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low || value > high)
    fail(std::string(what) + " '" + std::string(text) + "' is not a number in range");
  return value;
}

// Values are taken as written but for %XX: a '+' stays a '+' (a socket path
// may hold one), unlike in an HTML form.
void apply_query(MariadbConfig& config, const urls::url_view& url) {
  for (const auto& item : url.encoded_params()) {
    if (!item.has_value) fail("query item without '='");
    const std::string name = item.key.decode();
    const std::string value = item.value.decode();
    if (name == "socket") {
      config.unix_socket = value;
    } else if (name == "pool") {
      config.pool_size = parse_number<int>(value, 1, 64, "pool");
    } else {
      fail("unknown option '" + name + "'");
    }
  }
}

void take_host(MariadbConfig& config, const urls::url_view& url) {
  switch (url.host_type()) {
    case urls::host_type::ipv6:
      config.host = url.host_address();  // without the brackets: what the connector resolves
      break;
    case urls::host_type::ipvfuture:
      fail("unsupported IP literal '" + std::string(url.encoded_host()) + "'");
    default:
      config.host = url.host_address();
  }
  if (url.has_port()) config.port = parse_number<std::uint16_t>(url.port(), 1, 65535, "port");
}

}  // namespace

MariadbConfig parse_mariadb_url(std::string_view text) {
  if (!text.starts_with("mariadb://")) fail("missing mariadb:// prefix");
  // The password is never part of a message: Boost's error names the rule
  // that failed, not the text.
  const auto parsed = urls::parse_uri(text);
  if (!parsed) fail("not a URL (" + parsed.error().message() + "; %-escape special characters)");
  const urls::url_view url = *parsed;
  if (url.scheme() != kScheme) fail("missing mariadb:// prefix");
  if (url.has_fragment()) fail("unexpected '#'");
  MariadbConfig config;
  apply_query(config, url);

  if (!url.has_userinfo()) fail("no USER@");
  config.user = url.user();
  if (config.user.empty()) fail("empty user");
  if (url.has_password()) {
    config.password = url.password();
    config.password_given = true;
  }

  const std::string_view path = url.encoded_path();
  if (path.empty()) fail("no /DATABASE");
  config.database = urls::pct_string_view(path.substr(1)).decode();
  if (config.database.empty()) fail("empty database name");

  if (url.encoded_host().empty()) {
    if (url.has_port()) fail("a port without a host");
    if (config.unix_socket.empty()) fail("no host and no ?socket=");
    return config;
  }
  take_host(config, url);
  return config;
}

}  // namespace rk::store
