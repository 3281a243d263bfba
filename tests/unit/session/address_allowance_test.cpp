#include "session/address_allowance.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace rk::session {
namespace {

using namespace std::chrono_literals;

GuardedAddress v4(const char* text) {
  sockaddr_storage peer{};
  auto& address = reinterpret_cast<sockaddr_in&>(peer);
  address.sin_family = AF_INET;
  inet_pton(AF_INET, text, &address.sin_addr);
  return GuardedAddress::of(peer);
}

GuardedAddress v6(const char* text) {
  sockaddr_storage peer{};
  auto& address = reinterpret_cast<sockaddr_in6&>(peer);
  address.sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &address.sin6_addr);
  return GuardedAddress::of(peer);
}

TEST(AddressAllowance, AnAddressIsRefusedOnceItsFailuresUseUpTheMinute) {
  AddressAllowance guard(3);
  const auto start = AddressAllowance::Clock::now();
  const auto guesser = v4("203.0.113.7");
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(guard.has_token(guesser, start));
    guard.spend(guesser, start);
  }
  EXPECT_FALSE(guard.has_token(guesser, start));
  EXPECT_TRUE(guard.has_token(v4("203.0.113.8"), start)) << "another address is not affected";
}

TEST(AddressAllowance, TheAllowanceRefillsAtItsRate) {
  AddressAllowance guard(60);  // one a second
  const auto start = AddressAllowance::Clock::now();
  const auto guesser = v4("198.51.100.1");
  for (int i = 0; i < 60; ++i) guard.spend(guesser, start);
  EXPECT_FALSE(guard.has_token(guesser, start));
  EXPECT_FALSE(guard.has_token(guesser, start + 500ms));
  EXPECT_TRUE(guard.has_token(guesser, start + 1100ms));
  guard.spend(guesser, start + 1100ms);
  EXPECT_FALSE(guard.has_token(guesser, start + 1200ms));
}

TEST(AddressAllowance, AClockALittleBehindNeitherRefillsNorDrains) {
  AddressAllowance guard(2);
  const auto now = AddressAllowance::Clock::now();
  guard.spend(v4("192.0.2.9"), now);
  EXPECT_TRUE(guard.has_token(v4("192.0.2.9"), now - 5ms));  // another loop's cached time
  guard.spend(v4("192.0.2.9"), now - 5ms);
  EXPECT_FALSE(guard.has_token(v4("192.0.2.9"), now));
  EXPECT_TRUE(guard.has_token(v4("192.0.2.9"), now + 31s));
}

TEST(AddressAllowance, IPv6AddressesCountByTheirSlash64) {
  AddressAllowance guard(1);
  const auto now = AddressAllowance::Clock::now();
  guard.spend(v6("2001:db8:1:2::1"), now);
  EXPECT_FALSE(guard.has_token(v6("2001:db8:1:2:ffff::9"), now)) << "same /64";
  EXPECT_TRUE(guard.has_token(v6("2001:db8:1:3::1"), now)) << "another /64";
}

TEST(AddressAllowance, AnIPv4MappedAddressIsTheSameHostAsOverIPv4) {
  AddressAllowance guard(1);
  const auto now = AddressAllowance::Clock::now();
  guard.spend(v6("::ffff:192.0.2.5"), now);
  EXPECT_FALSE(guard.has_token(v4("192.0.2.5"), now));
}

TEST(AddressAllowance, ZeroMeansNoLimitAndTracksNothing) {
  AddressAllowance guard(0);
  const auto now = AddressAllowance::Clock::now();
  for (int i = 0; i < 1000; ++i) guard.spend(v4("192.0.2.1"), now);
  EXPECT_TRUE(guard.has_token(v4("192.0.2.1"), now));
  EXPECT_EQ(guard.tracked(), 0u);
}

TEST(AddressAllowance, RefilledAddressesAreForgottenSoMemoryStaysBounded) {
  AddressAllowance guard(10);
  const auto start = AddressAllowance::Clock::now();
  // Enough one-off failures from distinct addresses to overflow every shard.
  for (std::uint32_t i = 0; i < 200000; ++i) {
    sockaddr_storage peer{};
    auto& address = reinterpret_cast<sockaddr_in&>(peer);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(0x0a000000u + i);
    guard.spend(GuardedAddress::of(peer), start + std::chrono::milliseconds(i));  // 200 s in all
  }
  // Each bucket refills within 6 s, so only the last few thousand remain
  // (plus at most one prune's worth per shard).
  EXPECT_LT(guard.tracked(), 16u * 4096 + 16);
  EXPECT_LT(guard.tracked(), 200000u / 2);
}

TEST(AddressAllowance, TakeSpendsOnlyWhileTokensAreLeft) {
  AddressAllowance creates(2);
  const auto start = AddressAllowance::Clock::now();
  EXPECT_TRUE(creates.take(v4("10.0.0.1"), start));
  EXPECT_TRUE(creates.take(v4("10.0.0.1"), start));
  EXPECT_FALSE(creates.take(v4("10.0.0.1"), start));
  EXPECT_TRUE(creates.take(v4("10.0.0.2"), start));  // another address has its own
  EXPECT_TRUE(creates.take(v4("10.0.0.1"), start + 30s));  // one token refilled in half a minute
  EXPECT_FALSE(creates.take(v4("10.0.0.1"), start + 30s));
  AddressAllowance unlimited(0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.take(v4("10.0.0.1"), start));
}

}  // namespace
}  // namespace rk::session
