#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/room_catalog.h"
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

// Parses `--store` ("memory", "sqlite:PATH", "mariadb://...", "redis://...")
// and opens it. Throws StoreOpenError (StoreSpecError for a malformed spec)
// with a message fit for the user.
std::unique_ptr<RoomStore> open_store(std::string_view spec, const StoreOptions& options = {});

enum class CatalogUse {
  kRead,   // a sqlite: file must be there already
  kWrite,  // a sqlite: file is created if missing
};

// The same specs, opened for the room admin on the calling thread (a single
// connection; `options.room_ttl_s` is what Redis imports expire by). Throws
// StoreSpecError for a spec that is wrong ("memory" included: it has no rooms
// outside a server), StoreOpenError for a store that will not open.
std::unique_ptr<RoomCatalog> open_catalog(std::string_view spec, const StoreOptions& options, CatalogUse use);

}  // namespace rk::store
