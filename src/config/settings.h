#pragma once
// Every setting of `roomkey serve` in one place: its default here, its flag,
// bounds and help text in settings.cpp. docs and --help come from that table.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rk::config {

struct Settings {
  std::string config_file;  // --config: TOML; flags and ROOMKEY_* variables override it
  bool print_config = false;
  std::string host = "0.0.0.0";
  std::uint16_t port = 8001;  // the original server's port
  std::string store = "sqlite:./roomkey.db";
  std::string store_password_file;  // for mariadb:// URLs without a password
  std::string cluster;  // redis://...: share rooms with the other nodes using this Redis; empty: a single node
  std::size_t max_message_bytes = 1 << 20;
  unsigned threads = 0;  // 0: one per core this process may use
  std::string io = "epoll";  // or uring: faster on W1, but its read slots still cost idle memory (docs/performance.md)
  std::string log_level = "info";
  std::string log_format = "text";  // or json: one object per line
  std::string api_key_file;  // the HTTP API's bearer key; empty: no API (404)
  std::size_t api_max_body = 64 * 1024;  // bytes of an HTTP request body
  std::uint16_t metrics_port = 0;  // /metrics on a port of its own; 0: on the main port
  bool no_web = false;  // true: no page at /, plain HTTP gets 426 as before
  std::size_t max_connections = 500000;  // process-wide
  std::size_t max_connections_per_ip = 0;  // 0: no per-address limit (NAT gateways share addresses)
  std::size_t max_room_members = 10000;
  std::uint64_t max_rooms = 1000000;  // rooms the store may hold; 0: no limit
  unsigned max_creates_per_minute = 30;  // rooms one source address may create per minute; 0: no limit
  unsigned max_failed_joins_per_minute = 60;  // unknown-key joins per source address; 0: no limit
  double max_messages_per_second = 10000;  // per connection, bursts to twice that; 0: no limit
  std::size_t max_outbound_bytes = 4 << 20;  // per connection: beyond it, a slow consumer is dropped
  double ping_interval_s = 30.0;    // ping a connection silent this long
  double ping_timeout_s = 20.0;     // ... and drop it if still silent this much later
  double handshake_timeout_s = 10.0;  // from accept to a complete upgrade request
  double init_timeout_s = 30.0;       // from the upgrade to a room (create/join)
  double close_timeout_s = 3.0;     // wait for the peer's close frame, then drop
  double shutdown_timeout_s = 5.0;  // SIGTERM/SIGINT: close everyone within this
  std::size_t history_size = 100;   // publications each room keeps for history and resume; 0: none
  double history_ttl_s = 300.0;     // ... each for this long
  double state_ttl_s = 86400.0;     // each person's last location or state, kept this long; 0: none
  std::size_t history_max_bytes = std::size_t{256} << 20;  // all rooms' history and state together
  double room_ttl_s = 30 * 86400.0;  // a room not joined this long leaves the store; 0: never
  std::vector<std::string> allowed_origins;  // empty: any Origin may connect
  std::vector<std::string> trusted_proxies;  // addresses / CIDR blocks whose X-Forwarded-For or PROXY header is believed
  bool proxy_protocol = false;               // trusted proxies send a PROXY v1/v2 header first
  std::string tls_cert;  // PEM chain; with tls_key, the port speaks TLS only
  std::string tls_key;
  std::string auth_key_file;  // token auth: an HS256 secret or an RS256/ES256 public key
  std::string auth_issuer;    // required `iss`, if set
  std::string auth_audience;  // required in `aud`, if set
  double auth_leeway_s = 60;  // clock skew allowed on exp and nbf
};

void add_serve_flags(CLI::App& command, Settings& settings);

}  // namespace rk::config
