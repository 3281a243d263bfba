#include "bench/bench_support.h"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rk::bench {

std::int64_t micros_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

double cpu_seconds_of_self() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double cpu_seconds_of(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 0; i < 13 && fields >> field; ++i) {
    if (i == 11) utime = std::stod(field);
    if (i == 12) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long status_kb(int pid, std::string_view name) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(name)) return std::stol(line.substr(name.size() + 1));
  }
  return 0;
}

std::vector<sockaddr_in> parse_source_ips(const std::string& spec) {
  std::vector<sockaddr_in> out;
  if (spec.empty()) return out;
  const auto dash = spec.find('-');
  in_addr first{}, last{};
  if (::inet_pton(AF_INET, spec.substr(0, dash).c_str(), &first) != 1 ||
      ::inet_pton(AF_INET, (dash == std::string::npos ? spec : spec.substr(dash + 1)).c_str(), &last) != 1)
    throw std::runtime_error("--source-ips: expected A.B.C.D or A.B.C.D-A.B.C.E");
  for (std::uint32_t ip = ntohl(first.s_addr); ip <= ntohl(last.s_addr); ++ip) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(ip);
    out.push_back(address);
  }
  return out;
}

namespace {
std::size_t parse_at(std::string_view json, std::size_t at, std::int64_t& value) {
  const char* begin = json.data() + at;
  const char* end = json.data() + json.size();
  if (end - begin >= 2 && begin[0] == '0' && begin[1] == '.') begin += 2;
  const auto result = std::from_chars(begin, end, value);
  return result.ec == std::errc() ? static_cast<std::size_t>(result.ptr - json.data()) : std::string_view::npos;
}
}  // namespace

bool number_after(std::string_view json, std::string_view name, std::int64_t& value) {
  const auto at = json.rfind(name);
  if (at == std::string_view::npos) return false;
  return parse_at(json, at + name.size(), value) != std::string_view::npos;
}

std::size_t number_from(std::string_view json, std::string_view name, std::size_t from, std::int64_t& value) {
  const auto at = json.find(name, from);
  if (at == std::string_view::npos) return std::string_view::npos;
  return parse_at(json, at + name.size(), value);
}

std::string string_after(std::string_view json, std::string_view name) {
  const auto at = json.find(name);
  if (at == std::string_view::npos) return {};
  const auto start = at + name.size();
  const auto end = json.find('"', start);
  return end == std::string_view::npos ? std::string{} : std::string(json.substr(start, end - start));
}

}  // namespace rk::bench

namespace rk::bench {

double cpu_seconds_of(const std::vector<int>& pids) {
  double total = 0;
  for (int pid : pids) total += cpu_seconds_of(pid);
  return total;
}

long status_kb(const std::vector<int>& pids, std::string_view name) {
  long total = 0;
  for (int pid : pids) total += status_kb(pid, name);
  return total;
}

}  // namespace rk::bench
