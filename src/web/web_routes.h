#pragma once
// GET / and the files the page loads (unless --no-web).
#include "http/router.h"

namespace rk::web {

void add_web_routes(http::Router& router);

}  // namespace rk::web
