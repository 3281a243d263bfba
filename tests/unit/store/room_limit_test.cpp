#include <gtest/gtest.h>

#include <future>
#include <string>

#include "store/open_store.h"

namespace rk::store {
namespace {

StoreStatus run(RoomStore& store, StoreOp op, const std::string& key) {
  std::promise<StoreStatus> answer;
  store.submit(StoreRequest{op, key, {}}, [&](const StoreRequest& reply) { answer.set_value(reply.status); });
  return answer.get_future().get();
}

TEST(RoomLimit, CreatesBeyondMaxRoomsAreRefusedUntilARoomIsDestroyed) {
  auto store = open_store("memory", {.password_file = {}, .max_rooms = 2});
  EXPECT_EQ(run(*store, StoreOp::kCreate, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kCreate, "b"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kCreate, "c"), StoreStatus::kLimitReached);
  EXPECT_EQ(run(*store, StoreOp::kExists, "c"), StoreStatus::kNotFound) << "a refused create writes nothing";
  EXPECT_EQ(run(*store, StoreOp::kExists, "a"), StoreStatus::kOk) << "lookups are not limited";
  EXPECT_EQ(run(*store, StoreOp::kDestroy, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kCreate, "c"), StoreStatus::kOk);
}

TEST(RoomLimit, AFailedCreateDoesNotUseUpTheLimit) {
  auto store = open_store("memory", {.password_file = {}, .max_rooms = 1});
  EXPECT_EQ(run(*store, StoreOp::kCreate, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kDestroy, "a"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kDestroy, "a"), StoreStatus::kNotFound) << "destroying twice frees nothing twice";
  EXPECT_EQ(run(*store, StoreOp::kCreate, "b"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kCreate, "b"), StoreStatus::kLimitReached);
}

TEST(RoomLimit, RoomsAlreadyInTheStoreCountAtStartup) {
  const std::string path = ::testing::TempDir() + "room_limit_test.db";
  std::remove(path.c_str());
  {
    auto store = open_store("sqlite:" + path);
    for (const char* key : {"k1", "k2", "k3"}) ASSERT_EQ(run(*store, StoreOp::kCreate, key), StoreStatus::kOk);
  }
  auto store = open_store("sqlite:" + path, {.password_file = {}, .max_rooms = 4});
  EXPECT_EQ(run(*store, StoreOp::kCreate, "k4"), StoreStatus::kOk);
  EXPECT_EQ(run(*store, StoreOp::kCreate, "k5"), StoreStatus::kLimitReached);
  std::remove(path.c_str());
}

TEST(RoomLimit, ZeroMeansNoLimit) {
  auto store = open_store("memory", {.password_file = {}, .max_rooms = 0});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(run(*store, StoreOp::kCreate, std::to_string(i)), StoreStatus::kOk);
}

}  // namespace
}  // namespace rk::store
