// The admin's side of the MariaDB store (`roomkey rooms`): every room read a
// page at a time, rooms added with their metadata as given. Times travel as
// Unix seconds (UNIX_TIMESTAMP, FROM_UNIXTIME) on a UTC session, so they come
// back exactly as they went in.
#include <charconv>
#include <mysqld_error.h>

#include "store/mariadb/mariadb_backend.h"

namespace rk::store {
namespace {

constexpr std::size_t kPageRows = 1000;

std::optional<std::int64_t> seconds_of(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size())
    throw StoreError("MariaDB: a time that is not a whole number of seconds: '" + *text + "'");
  return value;
}

}  // namespace

void MariadbBackend::connect_for_admin() {
  if (!db_ && !connect(false)) throw StoreError("MariaDB " + describe() + " unreachable: " + last_error_);
}

void MariadbBackend::fail_admin(std::string_view what) {
  const std::string why = last_error_;
  if (db_) query("ROLLBACK");
  throw StoreError("MariaDB " + describe() + ": " + std::string(what) + " failed: " + why);
}

std::uint64_t MariadbBackend::room_count() {
  connect_for_admin();
  const auto count = count_rooms();
  if (!count) fail_admin("counting rooms");
  return *count;
}

// Keyset pages (keys after the last one seen, in key order): each page is a
// short statement of its own, so no cursor stays open while the caller
// writes what it read, and memory holds one page.
void MariadbBackend::for_each_room(const std::function<void(const RoomRecord&)>& each) {
  connect_for_admin();
  const std::string sql =
      std::string(has_metadata_ ? "SELECT joinkey, owner, UNIX_TIMESTAMP(created_at), UNIX_TIMESTAMP(last_used)"
                                : "SELECT joinkey, NULL, NULL, NULL") +
      " FROM websock WHERE joinkey > ? ORDER BY joinkey LIMIT " + std::to_string(kPageRows);
  if (!page_.ready() && !page_.prepare(db_, sql)) {
    note_failure("preparing the room listing", page_);
    fail_admin("reading rooms");
  }
  std::string after;  // every key sorts after the empty one
  RoomRecord room;
  for (;;) {
    page_.bind_text(0, after);
    if (!page_.execute()) {
      note_failure("reading rooms", page_);
      fail_admin("reading rooms");
    }
    std::size_t rows = 0;
    while (page_.fetch(row_)) {
      ++rows;
      room.key = row_[0].value_or("");
      room.owner = row_[1];
      room.created_at = seconds_of(row_[2]);
      room.last_used = seconds_of(row_[3]);
      each(room);
      after = room.key;
    }
    if (page_.error_code() != 0) {
      note_failure("reading rooms", page_);
      fail_admin("reading rooms");
    }
    if (rows < kPageRows) return;
  }
}

std::vector<InsertOutcome> MariadbBackend::insert_rooms(std::span<const RoomRecord> rooms) {
  connect_for_admin();
  if (!has_metadata_)
    throw StoreError("MariaDB " + describe() +
                     ": websock has no created_at, owner and last_used columns (no ALTER privilege?), so importing "
                     "would lose them; add them (docs/operations.md) and try again");
  if (!import_.ready() &&
      !import_.prepare(db_, "INSERT INTO websock (joinkey, owner, created_at, last_used) "
                            "VALUES (?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))")) {
    note_failure("preparing the import", import_);
    fail_admin("importing rooms");
  }
  if (!query("START TRANSACTION")) fail_admin("starting a transaction");
  std::vector<InsertOutcome> outcomes;
  outcomes.reserve(rooms.size());
  for (const RoomRecord& room : rooms) {
    import_.bind_text(0, room.key);
    if (room.owner) {
      import_.bind_text(1, *room.owner);
    } else {
      import_.bind_null(1);
    }
    import_.bind_integer(2, room.created_at);
    import_.bind_integer(3, room.last_used);
    if (import_.execute()) {
      outcomes.push_back(InsertOutcome::kInserted);
    } else if (import_.error_code() == ER_DUP_ENTRY) {
      outcomes.push_back(InsertOutcome::kExisted);  // InnoDB undoes only that statement
    } else {
      note_failure("importing rooms", import_);
      fail_admin("importing rooms");
    }
  }
  if (!db_ || !query("COMMIT")) fail_admin("committing imported rooms");
  return outcomes;
}

}  // namespace rk::store
