#pragma once
// One HTTP/1.1 request read from the start of a connection, without I/O.
// Beast parses it; this adds the limits a server that faces the internet
// needs and the answers for requests that break them.
#include <cstddef>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/response.h"

namespace rk::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Verb = boost::beast::http::verb;
using Field = boost::beast::http::field;

inline constexpr std::size_t kMaxHeaderBytes = 8192;
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;  // the default of --api-max-body

struct RequestParse {
  enum class Status { kNeedMore, kComplete, kBad };
  Status status = Status::kNeedMore;
  std::size_t consumed = 0;  // bytes of the request; what follows belongs to the next protocol
  // kNeedMore once the header is read: the bytes the whole request takes
  // (header and Content-Length body), so a caller need not parse again
  // before it has them. 0 while the header is incomplete.
  std::size_t needed = 0;
  Request request;           // kComplete
  Response error;            // kBad: the answer, then close
  std::string_view reason;   // kBad: for the log
};

// `input` holds everything received so far on the connection. Answers
// kNeedMore until the header and any body (Content-Length) are all there.
RequestParse parse_request(std::string_view input, std::size_t max_body_bytes = kMaxBodyBytes);

// True if the comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token);

}  // namespace rk::http
