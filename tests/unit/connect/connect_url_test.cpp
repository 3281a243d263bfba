#include <gtest/gtest.h>

#include "connect/connect_url.h"

namespace rk::connect {
namespace {

TEST(ConnectUrl, DefaultsThePortAndThePathFromTheScheme) {
  const ConnectUrl plain = parse_connect_url("ws://rooms.example.org");
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.host, "rooms.example.org");
  EXPECT_FALSE(plain.host_is_address);
  EXPECT_EQ(plain.port, 80);
  EXPECT_EQ(plain.target, "/");
  EXPECT_EQ(plain.host_header, "rooms.example.org");

  const ConnectUrl secure = parse_connect_url("WSS://rooms.example.org/");
  EXPECT_TRUE(secure.tls);
  EXPECT_EQ(secure.port, 443);
}

TEST(ConnectUrl, KeepsThePathAndTheQueryAsTheRequestTarget) {
  const ConnectUrl url = parse_connect_url("ws://127.0.0.1:8001/live/rooms?token=a.b.c");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_TRUE(url.host_is_address);
  EXPECT_EQ(url.port, 8001);
  EXPECT_EQ(url.target, "/live/rooms?token=a.b.c");
  EXPECT_EQ(url.host_header, "127.0.0.1:8001");
}

TEST(ConnectUrl, AnIpv6HostLosesItsBracketsButTheHostHeaderKeepsThem) {
  const ConnectUrl url = parse_connect_url("wss://[::1]:9443/");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.host_is_address);
  EXPECT_EQ(url.host_header, "[::1]:9443");
}

TEST(ConnectUrl, RefusesWhatIsNotAWebSocketUrlAndSaysWhy) {
  const auto why = [](std::string_view text) {
    try {
      parse_connect_url(text);
    } catch (const BadUrl& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(why("127.0.0.1:8001").find("did you mean ws://127.0.0.1:8001"), std::string::npos);
  EXPECT_NE(why("localhost").find("must start with ws:// or wss://"), std::string::npos);
  EXPECT_NE(why("https://example.org").find("not https://"), std::string::npos);
  EXPECT_NE(why("ftp://example.org").find("unknown scheme"), std::string::npos);
  EXPECT_NE(why("ws://").find("no host"), std::string::npos);
  EXPECT_NE(why("ws://host:0").find("port"), std::string::npos);
  EXPECT_NE(why("ws://host:65536").find("port"), std::string::npos);
  EXPECT_NE(why("ws://host:80x").find("not a URL"), std::string::npos);
  EXPECT_NE(why("ws://ho st/").find("not a URL"), std::string::npos);
  EXPECT_NE(why("ws://ana:secret@host/").find("--token"), std::string::npos);
  EXPECT_NE(why("ws://host/#top").find("fragment"), std::string::npos);
}

}  // namespace
}  // namespace rk::connect
