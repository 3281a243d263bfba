#pragma once
// An HTTP response to serialize once and send: status, extra headers, body.
// Every response closes the connection (a client that wants more opens
// another): nothing here keeps a connection alive between requests.
#include <string>
#include <string_view>

namespace rk::http {

struct Response {
  int status = 200;
  std::string reason = "OK";
  std::string headers;  // extra header lines, each ending in \r\n
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;

  static Response text(int status, std::string_view reason, std::string_view body, std::string_view headers = {}) {
    return Response{status, std::string(reason), std::string(headers), "text/plain; charset=utf-8", std::string(body)};
  }

  // Status line, headers (Server, Content-Type unless empty, Content-Length
  // unless a 304, Connection: close) and body.
  std::string serialize() const;
};

}  // namespace rk::http
