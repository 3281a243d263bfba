#pragma once
// What `roomkey bench` reads off the machine and off the wire: a process's
// CPU time and memory, source address ranges, and numbers in relayed JSON.
#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rk::bench {

using Clock = std::chrono::steady_clock;

std::int64_t micros_since(Clock::time_point start);
double cpu_seconds_of_self();
double cpu_seconds_of(int pid);
long status_kb(int pid, std::string_view name);
// Summed over processes.
double cpu_seconds_of(const std::vector<int>& pids);
long status_kb(const std::vector<int>& pids, std::string_view name);
std::vector<sockaddr_in> parse_source_ips(const std::string& spec);

// The integer after the last `name` in `json`. A "0." right after it is
// skipped: protocol v2 checks coordinate ranges, so the bench writes its
// integers there as the digits of a fraction ("0.000001234" for 1234).
bool number_after(std::string_view json, std::string_view name, std::int64_t& value);
// The same, after the first `name` at or after `from`; returns where it ended
// (npos if not found).
std::size_t number_from(std::string_view json, std::string_view name, std::size_t from, std::int64_t& value);
// The string after the first `name` (`"epoch":"`), up to its closing quote.
std::string string_after(std::string_view json, std::string_view name);

}  // namespace rk::bench
