#include "http/router.h"

#include <gtest/gtest.h>

#include <optional>

namespace rk::http {
namespace {

Request make(Verb method, std::string target, std::string body = {}) {
  Request request{method, target, 11};
  request.body() = std::move(body);
  return request;
}

// The routes here all answer at once.
Response answer(const Router& router, const Request& request) {
  std::optional<Response> response;
  router.respond(request, [&response](Response r) { response = std::move(r); });
  EXPECT_TRUE(response.has_value());
  return response.value_or(Response{});
}

TEST(Router, AnswersARouteByMethodAndPathIgnoringTheQuery) {
  Router router;
  router.add(Verb::get, "/healthz", [](const Request&) { return Response::text(200, "OK", "ok\n"); });
  const auto response = answer(router, make(Verb::get, "/healthz?probe=1"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok\n");
}

TEST(Router, HandsTheBodyToTheHandlerAndSendsItsBody) {
  Router router;
  router.add(Verb::post, "/echo", [](const Request& request) {
    Response response = Response::text(201, "Created", request.body());
    response.content_type = "application/json";
    return response;
  });
  const auto response = answer(router, make(Verb::post, "/echo", R"({"a":1})"));
  EXPECT_EQ(response.status, 201);
  const std::string wire = response.serialize();
  EXPECT_EQ(wire.rfind("HTTP/1.1 201 Created\r\n", 0), 0u);
  EXPECT_NE(wire.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(wire.find("Content-Length: 7\r\n"), std::string::npos);
  EXPECT_EQ(wire.substr(wire.size() - 7), R"({"a":1})");
}

TEST(Router, AnswersAKnownPathWithAnotherMethodWith405ListingTheMethods) {
  Router router;
  router.add(Verb::get, "/rooms", [](const Request&) { return Response::text(200, "OK", ""); });
  router.add(Verb::post, "/rooms", [](const Request&) { return Response::text(201, "Created", ""); });
  const auto response = answer(router, make(Verb::delete_, "/rooms"));
  EXPECT_EQ(response.status, 405);
  EXPECT_NE(response.headers.find("Allow: GET, POST\r\n"), std::string::npos);
}

TEST(Router, SendsUnknownPathsToTheFallbackOr404) {
  Router router;
  EXPECT_EQ(answer(router, make(Verb::get, "/nothing")).status, 404);
  router.set_fallback([](const Request&) { return Response::text(426, "Upgrade Required", "use WebSocket\n"); });
  EXPECT_EQ(answer(router, make(Verb::get, "/nothing")).status, 426);
}

TEST(Router, APrefixTakesEveryMethodUnderItAndMayAnswerLater) {
  Router router;
  Router::Reply kept;
  std::string seen;
  router.add_prefix("/api/", [&](const Request& request, Router::Reply reply) {
    seen = std::string(request.target());
    kept = std::move(reply);
  });
  std::optional<Response> response;
  router.respond(make(Verb::delete_, "/api/rooms/abc?x=1"), [&](Response r) { response = std::move(r); });
  EXPECT_EQ(seen, "/api/rooms/abc?x=1");
  EXPECT_FALSE(response.has_value());  // not yet
  kept(Response::text(204, "No Content", ""));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(answer(router, make(Verb::get, "/apix")).status, 404);
}

}  // namespace
}  // namespace rk::http
