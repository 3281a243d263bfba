#include "http/request.h"

#include <cctype>

#include <boost/beast/http/parser.hpp>

namespace rk::http {
namespace beast_http = boost::beast::http;
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

RequestParse bad(std::size_t consumed, Response response, std::string_view reason) {
  RequestParse r;
  r.status = RequestParse::Status::kBad;
  r.consumed = consumed;
  r.error = std::move(response);
  r.reason = reason;
  return r;
}

RequestParse header_too_large(std::size_t consumed) {
  return bad(consumed, Response::text(431, "Request Header Fields Too Large", "request header too large\n"),
             "header too large");
}

}  // namespace

bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// JSON, as the HTTP API (the only route that takes bodies) answers its errors.
Response too_large(std::size_t max_body_bytes) {
  return Response{413, "Content Too Large", {}, "application/json",
                  "{\"error\":\"too_large\",\"message\":\"the request body is larger than " +
                      std::to_string(max_body_bytes) + " bytes (--api-max-body)\"}\n"};
}

RequestParse parse_request(std::string_view input, std::size_t max_body_bytes) {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(max_body_bytes);
  parser.eager(true);  // header and body in one put()
  boost::beast::error_code ec;
  const std::size_t consumed = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec == beast_http::error::need_more || (!ec && !parser.is_done())) {
    if (!parser.is_header_done() && input.size() >= kMaxHeaderBytes) return header_too_large(input.size());
    RequestParse more;
    // Eager: with the header done, `consumed` covers it and what of the body came.
    if (parser.is_header_done() && parser.content_length())
      more.needed = consumed + static_cast<std::size_t>(*parser.content_length_remaining());
    return more;
  }
  if (ec == beast_http::error::header_limit) return header_too_large(input.size());
  if (ec == beast_http::error::body_limit)
    return bad(input.size(), too_large(max_body_bytes), "body too large");
  if (ec) return bad(input.size(), Response::text(400, "Bad Request", "malformed HTTP request\n"), "malformed HTTP request");
  RequestParse r;
  r.status = RequestParse::Status::kComplete;
  r.consumed = consumed;
  r.request = parser.release();
  return r;
}

}  // namespace rk::http
