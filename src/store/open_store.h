#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/room_store.h"

namespace rk::store {

struct StoreOptions {
  // For mariadb:// without a password in the URL: read from this file
  // (trailing newline ignored), else from $ROOMKEY_STORE_PASSWORD.
  std::string password_file;
  // Rooms the store may hold (--max-rooms); 0: no limit.
  std::uint64_t max_rooms = 0;
  std::int64_t room_ttl_s = 0;  // 0: rooms never expire
};

// Parses `--store` ("memory", "sqlite:PATH", "mariadb://...") and opens it.
// Throws StoreOpenError with a message fit for the user.
std::unique_ptr<RoomStore> open_store(std::string_view spec, const StoreOptions& options = {});

}  // namespace rk::store
