#include "store/sqlite/sqlite_backend.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "store/open_store.h"

namespace rk::store {
namespace {

class SqliteBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("roomkey-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "rooms.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static StoreStatus run(StoreBackend& backend, StoreOp op, std::string key) {
    StoreRequest request{op, std::move(key), {}};
    backend.run_batch(std::span<StoreRequest>(&request, 1));
    return request.status;
  }

  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteBackendTest, CreatesLooksUpAndDestroysKeys) {
  SqliteBackend backend(path_);
  EXPECT_EQ(run(backend, StoreOp::kExists, "a"), StoreStatus::kNotFound);
  EXPECT_EQ(run(backend, StoreOp::kCreate, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(backend, StoreOp::kCreate, "a"), StoreStatus::kAlreadyExists);
  EXPECT_EQ(run(backend, StoreOp::kExists, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(backend, StoreOp::kDestroy, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(backend, StoreOp::kDestroy, "a"), StoreStatus::kNotFound);
  EXPECT_EQ(run(backend, StoreOp::kExists, "a"), StoreStatus::kNotFound);
}

TEST_F(SqliteBackendTest, KeepsKeysAcrossReopen) {
  { SqliteBackend backend(path_); ASSERT_EQ(run(backend, StoreOp::kCreate, "persist"), StoreStatus::kOk); }
  SqliteBackend again(path_);
  EXPECT_EQ(run(again, StoreOp::kExists, "persist"), StoreStatus::kOk);
}

TEST_F(SqliteBackendTest, RunsABatchInOrder) {
  SqliteBackend backend(path_);
  std::vector<StoreRequest> batch{{StoreOp::kCreate, "x", {}}, {StoreOp::kExists, "x", {}},
                                  {StoreOp::kCreate, "x", {}}, {StoreOp::kDestroy, "x", {}},
                                  {StoreOp::kExists, "x", {}}};
  backend.run_batch(batch);
  EXPECT_EQ(batch[0].status, StoreStatus::kOk);
  EXPECT_EQ(batch[1].status, StoreStatus::kOk);
  EXPECT_EQ(batch[2].status, StoreStatus::kAlreadyExists);
  EXPECT_EQ(batch[3].status, StoreStatus::kOk);
  EXPECT_EQ(batch[4].status, StoreStatus::kNotFound);
}

TEST_F(SqliteBackendTest, AdoptsTheOriginalServersTableWithoutLosingRows) {
  sql("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY); INSERT INTO websock VALUES ('old1'), ('old2');");
  {
    SqliteBackend backend(path_);
    EXPECT_EQ(run(backend, StoreOp::kExists, "old1"), StoreStatus::kOk);
    EXPECT_EQ(run(backend, StoreOp::kExists, "old2"), StoreStatus::kOk);
    EXPECT_EQ(run(backend, StoreOp::kCreate, "new"), StoreStatus::kOk);
  }
  SqliteBackend reopened(path_);  // the migration is idempotent
  EXPECT_EQ(run(reopened, StoreOp::kExists, "old1"), StoreStatus::kOk);
  EXPECT_EQ(run(reopened, StoreOp::kExists, "new"), StoreStatus::kOk);
}

TEST_F(SqliteBackendTest, KeepsEachRoomsOwnerAndOldRowsHaveNone) {
  sql("CREATE TABLE websock (joinkey VARCHAR(255) PRIMARY KEY); INSERT INTO websock VALUES ('old');");
  SqliteBackend backend(path_);
  StoreRequest create{StoreOp::kCreate, "mine", "u-42"};
  backend.run_batch(std::span<StoreRequest>(&create, 1));
  ASSERT_EQ(create.status, StoreStatus::kOk);
  StoreRequest lookups[] = {{StoreOp::kExists, "mine", {}}, {StoreOp::kExists, "old", {}}};
  backend.run_batch(lookups);
  EXPECT_EQ(lookups[0].owner, "u-42");
  EXPECT_EQ(lookups[1].status, StoreStatus::kOk);
  EXPECT_EQ(lookups[1].owner, "");
}

TEST_F(SqliteBackendTest, ExpiresRoomsNotUsedWithinTheTtlAndStampsRowsThatNeverWereUsed) {
  SqliteBackend backend(path_);
  ASSERT_EQ(run(backend, StoreOp::kCreate, "fresh"), StoreStatus::kOk);
  ASSERT_EQ(run(backend, StoreOp::kCreate, "stale"), StoreStatus::kOk);
  ASSERT_EQ(run(backend, StoreOp::kCreate, "touched"), StoreStatus::kOk);
  sql("UPDATE websock SET last_used = strftime('%s','now') - 1000 WHERE joinkey IN ('stale', 'touched')");
  sql("INSERT INTO websock (joinkey) VALUES ('original')");  // the original server's: no last use
  EXPECT_EQ(run(backend, StoreOp::kTouch, "touched"), StoreStatus::kOk);
  EXPECT_EQ(run(backend, StoreOp::kTouch, "missing"), StoreStatus::kNotFound);
  EXPECT_EQ(backend.expire_unused(500), 1u);
  EXPECT_EQ(run(backend, StoreOp::kExists, "stale"), StoreStatus::kNotFound);
  for (auto key : {"fresh", "touched", "original"}) EXPECT_EQ(run(backend, StoreOp::kExists, key), StoreStatus::kOk);
  EXPECT_EQ(backend.expire_unused(500), 0u);  // the original's row now has a last use, and a full TTL
}

TEST_F(SqliteBackendTest, SeesKeysInsertedByAnotherProcess) {
  SqliteBackend backend(path_);
  sql("INSERT INTO websock (joinkey) VALUES ('outside')");
  EXPECT_EQ(run(backend, StoreOp::kExists, "outside"), StoreStatus::kOk);
}

TEST_F(SqliteBackendTest, RefusesToOpenWhatIsNotADatabase) {
  { std::ofstream(path_) << "this is not a database, it is a text file long enough to have a header........"; }
  EXPECT_THROW(SqliteBackend{path_}, StoreOpenError);
  EXPECT_THROW(SqliteBackend{(dir_ / "missing-dir" / "x.db").string()}, StoreOpenError);
}

TEST(OpenStore, RejectsUnknownSpecsClearly) {
  EXPECT_THROW(open_store("postgres://x"), StoreOpenError);
  EXPECT_THROW(open_store("sqlite:"), StoreOpenError);
  EXPECT_NO_THROW(open_store("memory"));
}

TEST(OpenStore, AnswersThroughTheRunnerAndDrains) {
  auto store = open_store("memory");
  std::promise<StoreStatus> created, found;
  store->submit(StoreRequest{StoreOp::kCreate, "k", "ana"}, [&](const StoreRequest& r) { created.set_value(r.status); });
  store->submit(StoreRequest{StoreOp::kExists, "k", {}}, [&](const StoreRequest& r) {
    EXPECT_EQ(r.owner, "ana");
    found.set_value(r.status);
  });
  EXPECT_EQ(created.get_future().get(), StoreStatus::kOk);
  EXPECT_EQ(found.get_future().get(), StoreStatus::kOk);
  store->drain();
  std::promise<StoreStatus> late;
  store->submit(StoreRequest{StoreOp::kExists, "k", {}}, [&](const StoreRequest& r) { late.set_value(r.status); });
  EXPECT_EQ(late.get_future().get(), StoreStatus::kUnavailable);
}

}  // namespace
}  // namespace rk::store
