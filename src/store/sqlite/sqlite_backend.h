#pragma once
// SQLite store: the original server's table `websock (joinkey VARCHAR(255)
// PRIMARY KEY)`, plus created_at, owner and last_used columns added by an
// idempotent migration. The admin's side (RoomCatalog) is in sqlite_catalog.cpp.
#include <string>

#include "store/room_catalog.h"
#include "store/room_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace rk::store {

class SqliteBackend final : public StoreBackend, public RoomCatalog {
 public:
  // Opens or creates the database; throws StoreOpenError.
  explicit SqliteBackend(std::string path);
  ~SqliteBackend() override;
  SqliteBackend(const SqliteBackend&) = delete;
  SqliteBackend& operator=(const SqliteBackend&) = delete;

  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override;
  std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) override;
  std::string describe() const override { return "sqlite:" + path_; }

  void for_each_room(const std::function<void(const RoomRecord&)>& each) override;
  std::vector<InsertOutcome> insert_rooms(std::span<const RoomRecord> rooms) override;
  std::uint64_t room_count() override;

 private:
  void exec(const char* sql);
  sqlite3_stmt* prepare(const char* sql);
  void migrate();
  StoreStatus run_one(StoreRequest& request);
  void finalize_all();
  [[noreturn]] void fail_admin(std::string_view what);
  bool exec_quietly(const char* sql);

  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* touch_ = nullptr;
  sqlite3_stmt* import_ = nullptr;  // the admin's, prepared when first used
};

}  // namespace rk::store
