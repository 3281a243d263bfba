#include "http/response.h"

namespace rk::http {

std::string Response::serialize() const {
  std::string out;
  out.reserve(160 + headers.size() + body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason).append("\r\n");
  out.append("Server: roomkey\r\n");
  out.append(headers);
  out.append("Content-Type: ").append(content_type).append("\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("Connection: close\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace rk::http
