#include "config/settings.h"

#include <CLI/CLI.hpp>

namespace rk::config {
namespace {

// CLI11 reads "-3" into an unsigned setting as a huge number.
const CLI::Validator not_negative(
    [](const std::string& value) { return value.starts_with('-') ? std::string("must not be negative") : ""; }, "");

}  // namespace

void add_serve_flags(CLI::App& command, Settings& s) {
  command
      .add_option("--config", s.config_file,
                  "TOML file of settings: each flag is a key without its dashes, - written _ (max_room_members = "
                  "100); a flag, or its ROOMKEY_<FLAG> environment variable (ROOMKEY_MAX_ROOM_MEMBERS), "
                  "overrides the file. An unknown key or a bad value is an error naming it")
      ->check(CLI::ExistingFile);
  command.add_flag("--print-config", s.print_config,
                   "Print the settings in effect (as a config file, each with where it came from; passwords "
                   "masked) and exit");
  command.add_option("--host", s.host, "Address to listen on")->capture_default_str();
  command.add_option("--port", s.port, "TCP port to listen on (0: pick a free one and log it)")
      ->capture_default_str();
  command
      .add_option("--store", s.store,
                  "Where room keys are kept: sqlite:PATH (created on first start), "
                  "mariadb://USER[:PASSWORD]@HOST[:PORT]/DATABASE, mariadb://USER@/DATABASE?socket=PATH, "
                  "redis://[:PASSWORD@]HOST[:PORT][/DB], redis+unix://[:PASSWORD@]/PATH[?db=DB], "
                  "or memory (lost on exit)")
      ->capture_default_str();
  // That both or neither are given is checked in check_settings(), once the environment and the file are in.
  command
      .add_option("--tls-cert", s.tls_cert,
                  "PEM certificate chain: the port then speaks TLS only (wss://, https://), TLS 1.2 and 1.3; "
                  "SIGHUP re-reads it and the key for new connections")
      ->check(CLI::ExistingFile);
  command.add_option("--tls-key", s.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  command
      .add_option("--auth-key", s.auth_key_file,
                  "Token auth: every init needs a JWT (the upgrade URL's ?token= or the init's \"token\"), "
                  "signed with this key: a file holding an HS256 secret (32 bytes or more) or a PEM public key "
                  "(RSA: RS256, EC P-256: ES256). Claims: sub and exp required; name, rooms, create, admin")
      ->check(CLI::ExistingFile);
  command.add_option("--auth-issuer", s.auth_issuer, "Token auth: the \"iss\" every token must carry");
  command.add_option("--auth-audience", s.auth_audience, "Token auth: a value every token's \"aud\" must hold");
  command
      .add_option("--auth-leeway", s.auth_leeway_s, "Token auth: seconds of clock skew allowed on exp and nbf")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  command.add_option(
      "--cluster", s.cluster,
      "Cluster mode: share rooms with every roomkey node that names the same Redis (redis://[:PASSWORD@]HOST[:PORT] "
      "or redis+unix://...; Redis 7 or later, a single server or a Redis Cluster): a client may join on any node. "
      "History and last-known state then live in Redis. Without --store, rooms are kept in that Redis too; a "
      "--store must be one every node shares (redis:// or mariadb://)");
  command
      .add_option("--store-password-file", s.store_password_file,
                  "File holding the MariaDB or Redis password, when the URL has none (else $ROOMKEY_STORE_PASSWORD)")
      ->check(CLI::ExistingFile);
  command
      .add_option("--max-message-bytes", s.max_message_bytes,
                  "Largest WebSocket message accepted; bigger ones close the connection with 1009")
      ->check(CLI::Range(std::size_t{64}, std::size_t{64} << 20))
      ->capture_default_str();
  command
      .add_option("--threads", s.threads,
                  "Event loop threads; 0 means one per CPU core this process may run on (see taskset)")
      ->check(CLI::Range(0u, 1024u))
      ->capture_default_str();
  command
      .add_option("--io", s.io,
                  "How the loops do socket I/O. uring: epoll still reports readiness, but each turn's reads and "
                  "then its writes go to the kernel as one io_uring batch each (one system call for all sockets; "
                  "measured 1.06x the messages per second of epoll); if the kernel refuses io_uring (too old, "
                  "seccomp, kernel.io_uring_disabled) roomkey logs why and uses epoll. epoll: a recv and a "
                  "sendmsg system call per socket per turn (the default for now: uring's read slots, touched by a burst of "
                  "new connections, stay resident, about 130 bytes per connection at 10k)")
      ->check(CLI::IsMember({"epoll", "uring"}))
      ->capture_default_str();
  command.add_option("--log-level", s.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  command
      .add_option("--api-key-file", s.api_key_file,
                  "Turns on the HTTP API under /api/ (create, inspect, publish into, kick from and destroy "
                  "rooms: docs/operations.md): requests must carry 'Authorization: Bearer KEY', KEY being this "
                  "file's first line (16 characters or more). Without it /api/ answers 404")
      ->check(CLI::ExistingFile);
  command
      .add_option("--api-max-body", s.api_max_body,
                  "Largest HTTP request body accepted (the API's JSON); a bigger one gets 413")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 20))
      ->capture_default_str();
  command
      .add_option("--metrics-port", s.metrics_port,
                  "Serve /metrics (with /healthz and /readyz) on this port of --host instead of the main one, to "
                  "keep it off a public port (0: /metrics on the main port)")
      ->capture_default_str();
  command.add_flag("--no-web", s.no_web,
                   "Do not serve the browser page at / (nor /app.js, /style.css, /roomkey.js): plain HTTP requests "
                   "there then get 426, pointing at WebSocket. The page and its JavaScript client are built into "
                   "the binary and load nothing from elsewhere");
  command
      .add_option("--log-format", s.log_format,
                  "text, or json: one JSON object per line (time, level, msg, and each event's fields: conn, "
                  "client, room, code, ...) for log collectors. At info, each connection logs when it opens, "
                  "enters a room and closes")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command
      .add_option("--max-connections", s.max_connections,
                  "Connections the process accepts at once; more get HTTP 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}))
      ->capture_default_str();
  command
      .add_option("--max-connections-per-ip", s.max_connections_per_ip,
                  "Connections from one IP address at once (0: no limit; mind NAT gateways); more get HTTP 503")
      ->check(not_negative)
      ->capture_default_str();
  command
      .add_option("--max-room-members", s.max_room_members,
                  "Members one room may have; a join beyond gets an error and close 1008")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  command
      .add_option("--max-rooms", s.max_rooms,
                  "Rooms the store may hold (counted at startup, then as rooms are created and destroyed; "
                  "0: no limit); a create beyond gets an error and close 1013 (try again later)")
      ->check(not_negative)
      ->capture_default_str();
  command
      .add_option("--room-ttl", s.room_ttl_s,
                  "Seconds a room may go without a join before a background sweep removes it from the store "
                  "(default 30 days; 0: rooms never expire); a room's last use is written at most hourly")
      ->check(CLI::Range(0.0, 100.0 * 365 * 86400))
      ->capture_default_str();
  command
      .add_option("--allowed-origins", s.allowed_origins,
                  "Browser origins (scheme://host[:port], comma-separated) whose pages may connect; an upgrade "
                  "with another Origin header gets HTTP 403 (clients that send none, as non-browser ones do, "
                  "are let in). Default: any")
      ->delimiter(',');
  command
      .add_option("--trusted-proxies", s.trusted_proxies,
                  "Reverse proxies / load balancers (IP addresses or CIDR blocks, comma-separated) whose word on "
                  "the client's address is taken: from X-Forwarded-For (the right-most address not itself "
                  "trusted), or with --proxy-protocol from a PROXY header. Every per-address limit and log line "
                  "then uses the client's address")
      ->delimiter(',');
  command.add_flag("--proxy-protocol", s.proxy_protocol,
                   "Connections from --trusted-proxies begin with a PROXY protocol v1 or v2 header (HAProxy, AWS "
                   "NLB, ...) giving the client's address; one without is closed");
  command
      .add_option("--max-creates-per-minute", s.max_creates_per_minute,
                  "Rooms one IP address (an IPv6 /64) may create per minute, in bursts of that many (0: no "
                  "limit); beyond it a create gets an error and close 1008")
      ->check(not_negative)
      ->capture_default_str();
  command
      .add_option("--max-failed-joins-per-minute", s.max_failed_joins_per_minute,
                  "Joins with an unknown key one IP address (an IPv6 /64) may make per minute, in bursts of "
                  "that many (0: no limit); once used up, every join from that address is refused (close "
                  "1008) until the allowance refills, so guessing keys stays slow")
      ->check(not_negative)
      ->capture_default_str();
  command
      .add_option("--max-messages-per-second", s.max_messages_per_second,
                  "Messages one connection may send per second, bursts to twice that (0: no limit); excess "
                  "messages get an error, a second's worth refused in a row closes with 1008")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  command
      .add_option("--max-outbound-bytes", s.max_outbound_bytes,
                  "Bytes queued for one client that does not read; beyond it the client is disconnected "
                  "(close 1008) and its room carries on; an empty queue takes any one message")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->capture_default_str();
  command
      .add_option("--ping-interval", s.ping_interval_s,
                  "Seconds of silence from a client before the server pings it")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  command
      .add_option("--ping-timeout", s.ping_timeout_s,
                  "Seconds a pinged client has to answer (anything it sends counts) before it is dropped "
                  "and its room told it disconnected")
      ->check(CLI::Range(0.1, 86400.0))
      ->capture_default_str();
  command
      .add_option("--handshake-timeout", s.handshake_timeout_s,
                  "Seconds from connect to a complete WebSocket upgrade request")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command
      .add_option("--init-timeout", s.init_timeout_s,
                  "Seconds from the upgrade to a successful init (create or join); then close 1008")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  command
      .add_option("--close-timeout", s.close_timeout_s,
                  "Seconds to wait for a client's close frame before dropping the connection")
      ->check(CLI::Range(0.1, 600.0))
      ->capture_default_str();
  command
      .add_option("--history-size", s.history_size,
                  "Publications each room keeps (protocol v2 history and resume: a client that reconnects "
                  "gets what it missed); 0 keeps none")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}))
      ->capture_default_str();
  command
      .add_option("--history-ttl", s.history_ttl_s,
                  "Seconds a publication stays in its room's history")
      ->check(CLI::Range(1.0, 30.0 * 86400))
      ->capture_default_str();
  command
      .add_option("--state-ttl", s.state_ttl_s,
                  "Seconds each person's last location or state is kept for joiners (also after they "
                  "leave: \"last seen\"); 0 keeps none")
      ->check(CLI::Range(0.0, 365.0 * 86400))
      ->capture_default_str();
  command
      .add_option("--history-max-bytes", s.history_max_bytes,
                  "Memory all rooms' history and state may use together; beyond it the oldest entries go "
                  "first (a resume that needed them gets recovered:false)")
      ->check(CLI::Range(std::size_t{1} << 16, std::size_t{1} << 40))
      ->capture_default_str();
  command
      .add_option("--shutdown-timeout", s.shutdown_timeout_s,
                  "On SIGTERM/SIGINT: seconds to let connections close (1001) before exiting")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
}

}  // namespace rk::config
