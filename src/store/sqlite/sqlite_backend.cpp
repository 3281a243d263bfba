#include "store/sqlite/sqlite_backend.h"

#include <sqlite3.h>

#include <set>
#include <spdlog/spdlog.h>

#include "store/redacted_key.h"

namespace rk::store {

SqliteBackend::SqliteBackend(std::string path) : path_(std::move(path)) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreOpenError("cannot open SQLite database '" + path_ + "': " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);  // another process (or the original server) may hold the lock
    // WAL + FULL: a commit is on disk before the server acknowledges a room,
    // so neither SIGKILL nor power loss can lose an acknowledged key.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    migrate();
    insert_ = prepare(
        "INSERT INTO websock (joinkey, owner, created_at, last_used) "
        "VALUES (?1, ?2, strftime('%s','now'), strftime('%s','now'))");
    select_ = prepare("SELECT owner, created_at FROM websock WHERE joinkey = ?1");
    delete_ = prepare("DELETE FROM websock WHERE joinkey = ?1");
    touch_ = prepare("UPDATE websock SET last_used = strftime('%s','now') WHERE joinkey = ?1");
  } catch (...) {
    finalize_all();
    throw;
  }
}

void SqliteBackend::finalize_all() {
  for (sqlite3_stmt* statement : {insert_, select_, delete_, touch_, import_}) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

SqliteBackend::~SqliteBackend() { finalize_all(); }

void SqliteBackend::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw StoreOpenError("SQLite database '" + path_ + "': " + why);
  }
}

bool SqliteBackend::exec_quietly(const char* sql) {
  char* error = nullptr;
  const bool ok = sqlite3_exec(db_, sql, nullptr, nullptr, &error) == SQLITE_OK;
  if (!ok) spdlog::error("sqlite: {}: {}", sql, error ? error : sqlite3_errmsg(db_));
  sqlite3_free(error);
  return ok;
}

sqlite3_stmt* SqliteBackend::prepare(const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
    throw StoreOpenError("SQLite database '" + path_ + "': " + sqlite3_errmsg(db_));
  return statement;
}

// Keeps the original's table and rows untouched; only adds the columns that
// are missing (every one NULL for the rows already there).
void SqliteBackend::migrate() {
  exec("CREATE TABLE IF NOT EXISTS websock (joinkey VARCHAR(255) PRIMARY KEY)");
  std::set<std::string, std::less<>> present;
  sqlite3_stmt* columns = prepare("PRAGMA table_info(websock)");
  while (sqlite3_step(columns) == SQLITE_ROW) {
    if (const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(columns, 1))) present.insert(name);
  }
  sqlite3_finalize(columns);
  if (!present.contains("created_at")) exec("ALTER TABLE websock ADD COLUMN created_at INTEGER");
  if (!present.contains("owner")) exec("ALTER TABLE websock ADD COLUMN owner TEXT");
  if (!present.contains("last_used")) exec("ALTER TABLE websock ADD COLUMN last_used INTEGER");
}

StoreStatus SqliteBackend::run_one(StoreRequest& request) {
  sqlite3_stmt* statement = request.op == StoreOp::kCreate   ? insert_
                            : request.op == StoreOp::kExists ? select_
                            : request.op == StoreOp::kTouch  ? touch_
                                                             : delete_;
  sqlite3_reset(statement);
  sqlite3_bind_text(statement, 1, request.key.data(), static_cast<int>(request.key.size()), SQLITE_STATIC);
  if (request.op == StoreOp::kCreate)
    sqlite3_bind_text(statement, 2, request.owner.data(), static_cast<int>(request.owner.size()), SQLITE_STATIC);
  const int rc = sqlite3_step(statement);
  if (request.op == StoreOp::kExists && rc == SQLITE_ROW) {
    const auto* owner = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    request.owner = owner ? owner : "";
    request.created_at_s = sqlite3_column_int64(statement, 1);  // NULL (a row of the original's) reads as 0
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  switch (request.op) {
    case StoreOp::kCreate:
      if (rc == SQLITE_DONE) return StoreStatus::kOk;
      if (rc == SQLITE_CONSTRAINT) return StoreStatus::kAlreadyExists;
      break;
    case StoreOp::kExists:
      if (rc == SQLITE_ROW) return StoreStatus::kOk;
      if (rc == SQLITE_DONE) return StoreStatus::kNotFound;
      break;
    case StoreOp::kDestroy:
    case StoreOp::kTouch:
      if (rc == SQLITE_DONE) return sqlite3_changes(db_) > 0 ? StoreStatus::kOk : StoreStatus::kNotFound;
      break;
  }
  spdlog::error("sqlite: {} of room {} failed: {}", name_of(request.op), redacted_key(request.key),
                sqlite3_errmsg(db_));
  return StoreStatus::kUnavailable;
}

std::optional<std::uint64_t> SqliteBackend::count_rooms() {
  sqlite3_stmt* statement = nullptr;
  std::optional<std::uint64_t> count;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM websock", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW)
    count = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
  else
    spdlog::error("sqlite: counting rooms failed: {}", sqlite3_errmsg(db_));
  sqlite3_finalize(statement);
  return count;
}

std::optional<std::uint64_t> SqliteBackend::expire_unused(std::int64_t ttl_s) {
  if (!exec_quietly("BEGIN IMMEDIATE")) return std::nullopt;
  const std::string stamp = "UPDATE websock SET last_used = strftime('%s','now') WHERE last_used IS NULL";
  const std::string remove =
      "DELETE FROM websock WHERE last_used < strftime('%s','now') - " + std::to_string(ttl_s);
  std::optional<std::uint64_t> removed;
  if (exec_quietly(stamp.c_str()) && exec_quietly(remove.c_str()))
    removed = static_cast<std::uint64_t>(sqlite3_changes(db_));
  if (!removed || !exec_quietly("COMMIT")) {
    exec_quietly("ROLLBACK");
    return std::nullopt;
  }
  return removed;
}

void SqliteBackend::run_batch(std::span<StoreRequest> requests) {
  if (!exec_quietly("BEGIN IMMEDIATE")) {
    for (auto& request : requests) request.status = StoreStatus::kUnavailable;
    return;
  }
  for (auto& request : requests) request.status = run_one(request);
  if (!exec_quietly("COMMIT")) {
    exec_quietly("ROLLBACK");
    for (auto& request : requests) {
      if (request.op != StoreOp::kExists) request.status = StoreStatus::kUnavailable;
    }
  }
}

}  // namespace rk::store
