#include "store/mariadb/mariadb_backend.h"

#include <cstdlib>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <spdlog/spdlog.h>

namespace rk::store {
namespace {

constexpr auto kReconnectBackoff = std::chrono::seconds(1);

// Errors that mean "the database said no to this configuration": retrying
// will not help, so they stop the server at startup.
bool is_configuration_error(unsigned code) {
  return code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR || code == ER_BAD_DB_ERROR ||
         code == ER_ACCESS_DENIED_NO_PASSWORD_ERROR;
}

// Errors after which the connection is useless.
bool is_connection_error(unsigned code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
         code == CR_CONN_HOST_ERROR || code == CR_COMMANDS_OUT_OF_SYNC || code == ER_CONNECTION_KILLED ||
         code == ER_SERVER_SHUTDOWN || code == CR_UNKNOWN_HOST || code == CR_SERVER_LOST_EXTENDED;
}

}  // namespace

void MariadbBackend::init_library() { mysql_library_init(0, nullptr, nullptr); }

MariadbBackend::MariadbBackend(MariadbConfig config) : config_(std::move(config)) { connect(true); }

MariadbBackend::~MariadbBackend() { disconnect(); }

std::string MariadbBackend::describe() const {
  const bool v6 = config_.host.find(':') != std::string::npos;
  std::string where = config_.unix_socket.empty()
                          ? (v6 ? "[" + config_.host + "]" : config_.host) + ":" + std::to_string(config_.port)
                          : "unix:" + config_.unix_socket;
  return "mariadb://" + config_.user + "@" + where + "/" + config_.database;
}

bool MariadbBackend::connect(bool at_startup) {
  db_ = mysql_init(nullptr);
  if (!db_) throw StoreOpenError("MariaDB: out of memory");
  const unsigned connect_timeout = static_cast<unsigned>(config_.connect_timeout_s);
  const unsigned io_timeout = static_cast<unsigned>(config_.io_timeout_s);
  const my_bool no = 0;
  mysql_optionsv(db_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(db_, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_optionsv(db_, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_optionsv(db_, MYSQL_OPT_RECONNECT, &no);  // reconnects are ours, after a failed batch
  mysql_optionsv(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const bool via_socket = !config_.unix_socket.empty();
  if (!mysql_real_connect(db_, via_socket ? "localhost" : config_.host.c_str(), config_.user.c_str(),
                          config_.password.c_str(), config_.database.c_str(), via_socket ? 0 : config_.port,
                          via_socket ? config_.unix_socket.c_str() : nullptr, 0)) {
    const unsigned code = mysql_errno(db_);
    const std::string why = mysql_error(db_);
    last_error_ = why;
    disconnect();
    if (at_startup && is_configuration_error(code))
      throw StoreOpenError("MariaDB at " + describe() + " refused the connection: " + why);
    next_connect_attempt_ = std::chrono::steady_clock::now() + kReconnectBackoff;
    if (!was_down_ || at_startup) {
      spdlog::error("MariaDB {} unreachable: {}. Rooms in memory keep working; creates and joins of keys not in "
                    "memory get a 'Room store unavailable' error until it is back.",
                    describe(), why);
    }
    was_down_ = true;
    return false;
  }
  // UTC, so that TIMESTAMPs and Unix seconds convert exactly both ways (the
  // admin's export and import), with no hour a daylight-saving change makes
  // ambiguous. NOW() and comparisons with it are unaffected.
  if (!query("SET time_zone = '+00:00'") || !migrate() || !prepare_statements()) {
    disconnect();
    return false;
  }
  if (was_down_) spdlog::info("MariaDB {} is reachable again", describe());
  was_down_ = false;
  return true;
}

void MariadbBackend::disconnect() {
  for (PreparedStatement* statement : {&create_, &lookup_, &destroy_, &touch_, &expire_, &page_, &import_})
    statement->close();
  if (db_) mysql_close(db_);
  db_ = nullptr;
}

// Idempotent, and never drops or rewrites a row of the original table: the
// columns roomkey adds are NULL for the rows already there.
bool MariadbBackend::migrate() {
  if (!query("CREATE TABLE IF NOT EXISTS websock (joinkey VARCHAR(255) PRIMARY KEY)")) return false;
  has_metadata_ = query("ALTER TABLE websock ADD COLUMN IF NOT EXISTS created_at TIMESTAMP NULL DEFAULT NULL") &&
                  query("ALTER TABLE websock ADD COLUMN IF NOT EXISTS owner VARCHAR(255) NULL DEFAULT NULL") &&
                  query("ALTER TABLE websock ADD COLUMN IF NOT EXISTS last_used TIMESTAMP NULL DEFAULT NULL");
  if (!has_metadata_) {
    if (!db_) return false;
    spdlog::warn("MariaDB: could not add websock's created_at, owner and last_used columns (no ALTER privilege?); "
                 "rooms work without them, but have no owner and never expire");
  }
  return true;
}

bool MariadbBackend::prepare_statements() {
  unsigned refusal = 0;
  std::string why;
  const auto prepare = [&](PreparedStatement& statement, std::string_view sql) {
    if (statement.prepare(db_, sql)) return true;
    refusal = statement.error_code();
    why = statement.error();
    return false;
  };
  const bool prepared =
      has_metadata_
          ? prepare(create_, "INSERT INTO websock (joinkey, owner, created_at, last_used) VALUES (?, ?, NOW(), NOW())") &&
                prepare(lookup_, "SELECT owner, UNIX_TIMESTAMP(created_at) FROM websock WHERE joinkey = ?")
          : prepare(create_, "INSERT INTO websock (joinkey) VALUES (?)") &&
                prepare(lookup_, "SELECT NULL FROM websock WHERE joinkey = ?");
  if (!prepared || !prepare(destroy_, "DELETE FROM websock WHERE joinkey = ?")) {
    note_failure("preparing statements", refusal, why);
    return false;
  }
  if (!has_metadata_ || expiry_denied_) return true;
  // Without UPDATE the server refuses to prepare these: rooms then work but never expire.
  if (!prepare(touch_, "UPDATE websock SET last_used = NOW() WHERE joinkey = ?") ||
      !prepare(expire_, "DELETE FROM websock WHERE last_used < NOW() - INTERVAL ? SECOND")) {
    if (refusal != ER_TABLEACCESS_DENIED_ERROR) {
      note_failure("preparing statements", refusal, why);
      return false;
    }
    expiry_denied_ = true;
    touch_.close();
    expire_.close();
    spdlog::warn("MariaDB: no UPDATE privilege on websock: rooms' last use is not recorded and --room-ttl "
                 "expires nothing (GRANT UPDATE, see docs/operations.md)");
  }
  return true;
}

bool MariadbBackend::query(std::string_view sql) {
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) {
    note_failure(sql);
    return false;
  }
  if (MYSQL_RES* result = mysql_store_result(db_)) mysql_free_result(result);
  return true;
}

void MariadbBackend::note_failure(std::string_view what) { note_failure(what, mysql_errno(db_), mysql_error(db_)); }

void MariadbBackend::note_failure(std::string_view what, const PreparedStatement& statement) {
  note_failure(what, statement.error_code(), statement.error());
}

// `what` never holds a key: statements name their operation, not their values.
void MariadbBackend::note_failure(std::string_view what, unsigned code, const std::string& why) {
  spdlog::debug("MariaDB: {} failed: {} ({})", what.substr(0, 80), why, code);
  last_error_ = why;
  if (is_connection_error(code)) {
    if (!was_down_) spdlog::error("MariaDB {}: connection lost: {}", describe(), why);
    was_down_ = true;
    disconnect();
  }
}

StoreStatus MariadbBackend::run_one(StoreRequest& request) {
  PreparedStatement& statement = request.op == StoreOp::kCreate   ? create_
                                 : request.op == StoreOp::kExists ? lookup_
                                 : request.op == StoreOp::kTouch  ? touch_
                                                                  : destroy_;
  if (!statement.ready()) return StoreStatus::kOk;  // a touch without the columns or the privilege: nothing to record
  statement.bind_text(0, request.key);
  if (request.op == StoreOp::kCreate && has_metadata_) statement.bind_text(1, request.owner);
  if (!statement.execute()) {
    if (request.op == StoreOp::kCreate && statement.error_code() == ER_DUP_ENTRY) return StoreStatus::kAlreadyExists;
    note_failure(name_of(request.op), statement);
    return StoreStatus::kUnavailable;
  }
  switch (request.op) {
    case StoreOp::kCreate:
    case StoreOp::kTouch:  // 0 rows changed may only mean "the same second": not a miss
      return StoreStatus::kOk;
    case StoreOp::kExists:
      if (statement.fetch(row_)) {
        request.owner = row_[0].value_or("");
        request.created_at_s = row_.size() > 1 && row_[1] ? std::atoll(row_[1]->c_str()) : 0;
        return StoreStatus::kOk;
      }
      if (statement.error_code() == 0) return StoreStatus::kNotFound;
      note_failure(name_of(request.op), statement);
      return StoreStatus::kUnavailable;
    case StoreOp::kDestroy:
      return statement.affected_rows() > 0 ? StoreStatus::kOk : StoreStatus::kNotFound;
  }
  return StoreStatus::kUnavailable;
}

MariadbBackend::Outcome MariadbBackend::run_in_transaction(std::span<StoreRequest> requests) {
  // A pooled connection may have died while idle (a database restart): that
  // shows on the first statement, before anything was written, so it is safe
  // to reconnect and run the batch again.
  if (!query("START TRANSACTION")) return db_ ? Outcome::kFailed : Outcome::kRetry;
  for (auto& request : requests) {
    request.status = db_ ? run_one(request) : StoreStatus::kUnavailable;
  }
  if (!db_ || !query("COMMIT")) {
    if (db_) query("ROLLBACK");
    // The commit's fate is unknown: report no write as done (a create that
    // did land is an unused key; no client was told about it).
    for (auto& request : requests) {
      if (request.op != StoreOp::kExists || !db_) request.status = StoreStatus::kUnavailable;
    }
  }
  return Outcome::kDone;
}

std::optional<std::uint64_t> MariadbBackend::count_rooms() {
  if (!db_ && (std::chrono::steady_clock::now() < next_connect_attempt_ || !connect(false))) return std::nullopt;
  constexpr std::string_view sql = "SELECT COUNT(*) FROM websock";
  if (mysql_real_query(db_, sql.data(), sql.size()) != 0) {
    note_failure(sql);
    return std::nullopt;
  }
  MYSQL_RES* result = mysql_store_result(db_);
  if (!result) {
    note_failure(sql);
    return std::nullopt;
  }
  std::optional<std::uint64_t> count;
  if (MYSQL_ROW row = mysql_fetch_row(result); row && row[0]) count = std::stoull(row[0]);
  mysql_free_result(result);
  return count;
}

std::optional<std::uint64_t> MariadbBackend::expire_unused(std::int64_t ttl_s) {
  if (!db_ && (std::chrono::steady_clock::now() < next_connect_attempt_ || !connect(false))) return std::nullopt;
  if (!expire_.ready()) return 0;  // no last use recorded (no columns, or no UPDATE): rooms cannot expire
  if (!query("UPDATE websock SET last_used = NOW() WHERE last_used IS NULL")) return std::nullopt;
  expire_.bind_integer(0, ttl_s);
  if (!expire_.execute()) {
    note_failure("expiring rooms", expire_);
    return std::nullopt;
  }
  return expire_.affected_rows();
}

void MariadbBackend::run_batch(std::span<StoreRequest> requests) {
  for (auto& request : requests) request.status = StoreStatus::kUnavailable;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!db_) {
      if (std::chrono::steady_clock::now() < next_connect_attempt_ || !connect(false)) return;
    }
    if (run_in_transaction(requests) != Outcome::kRetry) return;
  }
}

}  // namespace rk::store
