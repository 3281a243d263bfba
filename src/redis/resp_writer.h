#pragma once
// Appends Redis commands in RESP, the wire format, to a buffer that is reused:
// a pipeline of many commands is one string and one write, with no allocation
// per command once the buffer has grown (hiredis's own formatter allocates
// each command). Arguments are binary-safe.
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace rk::redis {

class RespWriter {
 public:
  explicit RespWriter(std::string& out) : out_(out) {}

  // One command of `count` arguments; follow with exactly `count` arg() calls.
  RespWriter& command(std::size_t count) {
    out_.push_back('*');
    number(count);
    return *this;
  }
  RespWriter& arg(std::string_view value) {
    out_.push_back('$');
    number(value.size());
    out_.append(value);
    out_.append("\r\n");
    return *this;
  }
  RespWriter& arg(std::int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    return arg(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  RespWriter& all(std::initializer_list<std::string_view> args) {
    command(args.size());
    for (auto value : args) arg(value);
    return *this;
  }

 private:
  void number(std::size_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out_.append(digits, end);
    out_.append("\r\n");
  }
  std::string& out_;
};

}  // namespace rk::redis
