#include "api/api_reply.h"

#include "protocol/json_text.h"

namespace rk::api {
namespace {

std::string_view reason_of(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

}  // namespace

http::Response json(int status, std::string_view reason, std::string body, std::string_view headers) {
  body += '\n';
  return http::Response{status, std::string(reason), std::string(headers), "application/json", std::move(body)};
}

http::Response error(int status, std::string_view code, std::string_view message, std::string_view headers) {
  std::string body = "{\"error\":";
  protocol::append_json_string(body, code);
  body += ",\"message\":";
  protocol::append_json_string(body, message);
  body += '}';
  return json(status, reason_of(status), std::move(body), headers);
}

}  // namespace rk::api
