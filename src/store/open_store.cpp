#include "store/open_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "store/mariadb/mariadb_backend.h"
#include "store/memory/memory_backend.h"
#include "store/redis/redis_backend.h"
#include "store/sqlite/sqlite_backend.h"
#include "store/store_runner.h"

namespace rk::store {
namespace {

template <typename Backend, typename... Args>
std::unique_ptr<RoomStore> single(const StoreOptions& options, Args&&... args) {
  std::vector<std::unique_ptr<StoreBackend>> backends;
  backends.push_back(std::make_unique<Backend>(std::forward<Args>(args)...));
  return std::make_unique<StoreRunner>(std::move(backends), options.max_rooms, options.room_ttl_s);
}

template <typename Config>
void fill_password(Config& config, const StoreOptions& options) {
  if (config.password_given) return;
  if (!options.password_file.empty()) {
    std::ifstream file(options.password_file);
    if (!file) throw StoreSpecError("cannot read --store-password-file '" + options.password_file + "'");
    std::getline(file, config.password);
    if (!config.password.empty() && config.password.back() == '\r') config.password.pop_back();
    config.password_given = true;
    return;
  }
  if (const char* password = std::getenv("ROOMKEY_STORE_PASSWORD")) {
    config.password = password;
    config.password_given = true;
  }
}

std::unique_ptr<RoomStore> open_mariadb(std::string_view spec, const StoreOptions& options) {
  MariadbConfig config;
  try {
    config = parse_mariadb_url(spec);
  } catch (const StoreOpenError& error) {
    throw StoreSpecError(error.what());
  }
  fill_password(config, options);
  MariadbBackend::init_library();
  std::vector<std::unique_ptr<StoreBackend>> backends;
  for (int i = 0; i < config.pool_size; ++i) backends.push_back(std::make_unique<MariadbBackend>(config));
  return std::make_unique<StoreRunner>(std::move(backends), options.max_rooms, options.room_ttl_s);
}

std::unique_ptr<RoomStore> open_redis(std::string_view spec, const StoreOptions& options) {
  redis::RedisConfig config;
  try {
    config = redis::parse_redis_url(spec);
  } catch (const redis::UrlError& error) {
    throw StoreSpecError(std::string("--store: ") + error.what());
  }
  fill_password(config, options);
  // One connection: its batches are pipelined, so it keeps up with a pool's worth of SQL connections.
  return single<RedisBackend>(options, std::move(config), options.room_ttl_s);
}

}  // namespace

std::unique_ptr<RoomStore> open_store(std::string_view spec, const StoreOptions& options) {
  if (spec == "memory") return single<MemoryBackend>(options);
  if (spec.starts_with("sqlite:")) {
    const std::string_view path = spec.substr(7);
    if (path.empty()) throw StoreSpecError("--store sqlite:PATH needs a path, e.g. sqlite:./roomkey.db");
    return single<SqliteBackend>(options, std::string(path));
  }
  if (spec.starts_with("mariadb://")) return open_mariadb(spec, options);
  if (redis::is_redis_url(spec)) return open_redis(spec, options);
  throw StoreSpecError("unknown --store '" + std::string(spec) +
                       "': expected sqlite:PATH, mariadb://USER@HOST:PORT/DATABASE, redis://HOST:PORT or memory");
}

std::unique_ptr<RoomCatalog> open_catalog(std::string_view spec, const StoreOptions& options, CatalogUse use) {
  if (spec == "memory")
    throw StoreSpecError("'memory' holds rooms only inside a running server: the room admin needs sqlite:PATH, "
                         "mariadb://... or redis://...");
  if (spec.starts_with("sqlite:")) {
    const std::string path(spec.substr(7));
    if (path.empty()) throw StoreSpecError("sqlite:PATH needs a path, e.g. sqlite:./roomkey.db");
    // Reading a path that is not there would create an empty database and report no rooms: a typo, surely.
    if (use == CatalogUse::kRead && !std::filesystem::exists(path))
      throw StoreOpenError("no SQLite database at '" + path + "'");
    return std::make_unique<SqliteBackend>(path);
  }
  if (spec.starts_with("mariadb://")) {
    MariadbConfig config = parse_mariadb_url(spec);
    fill_password(config, options);
    MariadbBackend::init_library();
    return std::make_unique<MariadbBackend>(std::move(config));
  }
  if (redis::is_redis_url(spec)) {
    redis::RedisConfig config;
    try {
      config = redis::parse_redis_url(spec);
    } catch (const redis::UrlError& error) {
      throw StoreSpecError(error.what());
    }
    fill_password(config, options);
    return std::make_unique<RedisBackend>(std::move(config), options.room_ttl_s);
  }
  throw StoreSpecError("unknown store '" + std::string(spec) +
                       "': expected sqlite:PATH, mariadb://USER@HOST:PORT/DATABASE or redis://HOST:PORT");
}

}  // namespace rk::store
