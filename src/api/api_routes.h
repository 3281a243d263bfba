#pragma once
// The HTTP API under /api/, on the listening port (and over TLS when TLS is
// on): for an application's backend to create rooms, see who is in one,
// publish into it, read its history, remove members and destroy it. Every
// request carries the key of --api-key-file as a bearer token; without that
// flag, /api/ answers 404.
#include <string>

#include "api/room_operations.h"
#include "http/router.h"

namespace rk::api {

struct ApiSettings {
  ApiContext context;
  std::string key;  // empty: the API is off
};

// `settings` must outlive the router.
void add_api_routes(http::Router& router, const ApiSettings& settings);

// The key from --api-key-file (its first line); empty and `error` set if the
// file cannot be read or the key is shorter than 16 characters.
std::string load_api_key(const std::string& path, std::string& error);

}  // namespace rk::api
