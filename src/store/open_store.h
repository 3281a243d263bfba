#pragma once
#include <memory>
#include <string_view>

#include "store/room_store.h"

namespace rk::store {

// Parses `--store` ("memory", "sqlite:PATH") and opens it. Throws
// StoreOpenError with a message fit for the user.
std::unique_ptr<RoomStore> open_store(std::string_view spec);

}  // namespace rk::store
