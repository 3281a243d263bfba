#include "store/open_store.h"

#include "store/memory/memory_backend.h"
#include "store/sqlite/sqlite_backend.h"
#include "store/store_runner.h"

namespace rk::store {

std::unique_ptr<RoomStore> open_store(std::string_view spec) {
  if (spec == "memory") return std::make_unique<StoreRunner>(std::make_unique<MemoryBackend>());
  if (spec.starts_with("sqlite:")) {
    const std::string_view path = spec.substr(7);
    if (path.empty()) throw StoreOpenError("--store sqlite:PATH needs a path, e.g. sqlite:./roomkey.db");
    return std::make_unique<StoreRunner>(std::make_unique<SqliteBackend>(std::string(path)));
  }
  if (spec.starts_with("mariadb://"))
    throw StoreOpenError("the MariaDB store is not built into this version yet; use sqlite:PATH or memory");
  throw StoreOpenError("unknown --store '" + std::string(spec) + "': expected sqlite:PATH or memory");
}

}  // namespace rk::store
