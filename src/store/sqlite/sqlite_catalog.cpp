// The admin's side of the SQLite store (`roomkey rooms`). Times are stored as
// Unix seconds already, so they are read and written as they are.
#include <sqlite3.h>

#include "store/sqlite/sqlite_backend.h"

namespace rk::store {
namespace {

std::optional<std::int64_t> optional_integer(sqlite3_stmt* statement, int column) {
  if (sqlite3_column_type(statement, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(statement, column);
}

std::optional<std::string> optional_text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  if (!text) return std::nullopt;
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

void bind_optional(sqlite3_stmt* statement, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    sqlite3_bind_int64(statement, index, *value);
  } else {
    sqlite3_bind_null(statement, index);
  }
}

}  // namespace

void SqliteBackend::fail_admin(std::string_view what) {
  const std::string why = sqlite3_errmsg(db_);
  if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  throw StoreError("SQLite database '" + path_ + "': " + std::string(what) + " failed: " + why);
}

std::uint64_t SqliteBackend::room_count() {
  const auto count = count_rooms();
  if (!count) fail_admin("counting rooms");
  return *count;
}

// One statement stepped row by row: SQLite reads the table as it goes, so
// memory does not grow with it (and in WAL mode writers are not held up).
void SqliteBackend::for_each_room(const std::function<void(const RoomRecord&)>& each) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT joinkey, owner, created_at, last_used FROM websock", -1, &statement,
                         nullptr) != SQLITE_OK)
    fail_admin("reading rooms");
  RoomRecord room;
  int rc = SQLITE_ROW;
  try {
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      room.key = optional_text(statement, 0).value_or("");
      room.owner = optional_text(statement, 1);
      room.created_at = optional_integer(statement, 2);
      room.last_used = optional_integer(statement, 3);
      each(room);
    }
  } catch (...) {
    sqlite3_finalize(statement);
    throw;
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) fail_admin("reading rooms");
}

std::vector<InsertOutcome> SqliteBackend::insert_rooms(std::span<const RoomRecord> rooms) {
  if (!import_ &&
      sqlite3_prepare_v3(db_,
                         "INSERT INTO websock (joinkey, owner, created_at, last_used) VALUES (?1, ?2, ?3, ?4) "
                         "ON CONFLICT (joinkey) DO NOTHING",
                         -1, SQLITE_PREPARE_PERSISTENT, &import_, nullptr) != SQLITE_OK)
    fail_admin("preparing the import");
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) fail_admin("starting a transaction");
  std::vector<InsertOutcome> outcomes;
  outcomes.reserve(rooms.size());
  for (const RoomRecord& room : rooms) {
    sqlite3_reset(import_);
    sqlite3_bind_text(import_, 1, room.key.data(), static_cast<int>(room.key.size()), SQLITE_STATIC);
    if (room.owner) {
      sqlite3_bind_text(import_, 2, room.owner->data(), static_cast<int>(room.owner->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(import_, 2);
    }
    bind_optional(import_, 3, room.created_at);
    bind_optional(import_, 4, room.last_used);
    if (sqlite3_step(import_) != SQLITE_DONE) fail_admin("importing rooms");
    outcomes.push_back(sqlite3_changes(db_) > 0 ? InsertOutcome::kInserted : InsertOutcome::kExisted);
  }
  sqlite3_reset(import_);
  sqlite3_clear_bindings(import_);
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) fail_admin("committing imported rooms");
  return outcomes;
}

}  // namespace rk::store
