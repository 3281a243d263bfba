#pragma once
// The HTTP API's answers: JSON bodies, and errors as
// {"error":CODE,"message":TEXT} with the status that fits.
#include <string>
#include <string_view>

#include "http/response.h"

namespace rk::api {

http::Response json(int status, std::string_view reason, std::string body, std::string_view headers = {});
http::Response error(int status, std::string_view code, std::string_view message, std::string_view headers = {});

inline http::Response bad_request(std::string_view message) { return error(400, "bad_request", message); }
inline http::Response room_not_found() { return error(404, "not_found", "no room with this key"); }
inline http::Response store_unavailable() {
  return error(503, "store_unavailable", "the room store did not answer; try again", "Retry-After: 1\r\n");
}

}  // namespace rk::api
