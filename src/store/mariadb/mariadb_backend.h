#pragma once
// MariaDB store: the original server's `websock` table. One instance is one
// database connection; the StoreRunner gives each pool thread its own.
//
// Outages are expected, not fatal: a lost connection fails the requests in
// hand with kUnavailable and is re-established on a later batch (at most one
// attempt per second while the database stays down).
//
// Every statement that carries a key or an owner is a prepared statement
// (prepared once per connection), so nothing is ever escaped into SQL text.
// The admin's side (RoomCatalog) is in mariadb_catalog.cpp.
#include <chrono>
#include <memory>
#include <string>

#include "store/mariadb/mariadb_statement.h"
#include "store/mariadb/mariadb_url.h"
#include "store/room_catalog.h"
#include "store/room_store.h"

struct st_mysql;

namespace rk::store {

class MariadbBackend final : public StoreBackend, public RoomCatalog {
 public:
  // Connects at once. Credentials or a database that the server refuses
  // throw StoreOpenError; an unreachable server does not (it is retried).
  explicit MariadbBackend(MariadbConfig config);
  ~MariadbBackend() override;
  MariadbBackend(const MariadbBackend&) = delete;
  MariadbBackend& operator=(const MariadbBackend&) = delete;

  void run_batch(std::span<StoreRequest> requests) override;
  std::optional<std::uint64_t> count_rooms() override;
  std::optional<std::uint64_t> expire_unused(std::int64_t ttl_s) override;
  std::string describe() const override;

  void for_each_room(const std::function<void(const RoomRecord&)>& each) override;
  std::vector<InsertOutcome> insert_rooms(std::span<const RoomRecord> rooms) override;
  std::uint64_t room_count() override;

  // Call once per process before any backend is created (not thread-safe).
  static void init_library();

 private:
  enum class Outcome { kDone, kRetry, kFailed };
  bool connect(bool at_startup);
  void disconnect();
  bool migrate();
  bool prepare_statements();
  Outcome run_in_transaction(std::span<StoreRequest> requests);
  StoreStatus run_one(StoreRequest& request);
  bool query(std::string_view sql);
  void note_failure(std::string_view what);
  void note_failure(std::string_view what, const PreparedStatement& statement);
  void note_failure(std::string_view what, unsigned code, const std::string& why);
  // The admin's: a connection now, or StoreError.
  void connect_for_admin();
  [[noreturn]] void fail_admin(std::string_view what);

  MariadbConfig config_;
  st_mysql* db_ = nullptr;
  bool has_metadata_ = false;  // created_at, owner, last_used (an ALTER may have been refused)
  bool expiry_denied_ = false;  // no UPDATE privilege: warned once, not retried
  bool was_down_ = false;
  std::chrono::steady_clock::time_point next_connect_attempt_{};
  // Prepared on each connection, after the migration (their columns depend on it).
  PreparedStatement create_;
  PreparedStatement lookup_;
  PreparedStatement destroy_;
  PreparedStatement touch_;
  PreparedStatement expire_;
  // The admin's, prepared when first used.
  PreparedStatement page_;
  PreparedStatement import_;
  std::vector<std::optional<std::string>> row_;  // a lookup's result, reused
  std::string last_error_;  // what the server or the connector last said went wrong
};

}  // namespace rk::store
