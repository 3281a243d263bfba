#include "http/response.h"

namespace rk::http {

std::string Response::serialize() const {
  std::string out;
  out.reserve(160 + headers.size() + body.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason).append("\r\n");
  out.append("Server: roomkey\r\n");
  out.append(headers);
  if (!content_type.empty()) out.append("Content-Type: ").append(content_type).append("\r\n");
  // A 304 has no body, and a Content-Length there would have to be the full one's.
  if (status != 304) out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  out.append("Connection: close\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace rk::http
