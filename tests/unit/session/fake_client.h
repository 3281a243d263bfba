#pragma once
// A client as a protocol handler sees it, for unit tests: the frames it would
// be sent (payload text), how it was closed, and a store that answers at once.
#include <functional>
#include <string>
#include <vector>

#include "session/loop_context.h"
#include "session/room_entry.h"
#include "store/store_stats.h"
#include "ws/frame_writer.h"

namespace rk::session::fakes {

struct NoStore : store::RoomStore {
  void submit(store::StoreRequest, store::StoreCallback done) override {  // last-use writes only
    store::StoreRequest ignored;
    ignored.status = store::StoreStatus::kOk;
    done(ignored);
  }
  void drain() override {}
  std::string describe() const override { return "none"; }
  store::StoreStats stats() const override { return {}; }
};

struct World {
  config::Settings settings;
  NoStore store;
  AddressAllowance join_guard{60};
  AddressAllowance create_guard{0};
  http::Router router;
  loop::EventLoop loop;
  LoopContext context{loop, SharedServices{settings, store, join_guard, create_guard, router, nullptr, nullptr, {}}};
};

template <typename Handler>
struct FakeClient : ClientLink {
  World& world;
  Handler protocol{*this};
  std::vector<std::string> received;
  int close_code = 0;
  store::StoreStatus store_answer = store::StoreStatus::kOk;
  std::vector<store::StoreOp> store_asked;
  std::unique_ptr<auth::Claims> held_claims;

  explicit FakeClient(World& w) : world(w) {}

  void send(FramePtr frame) override {
    if (close_code) return;
    received.emplace_back(ws::server_frame_payload(*frame));
  }
  void close(ws::CloseCode code, std::string_view) override {
    if (close_code) return;
    close_code = static_cast<int>(code);
    protocol.on_leaving(room::LeaveReason::kClosed);
  }
  void pause_reading() override {}
  void resume_reading() override {}
  LoopContext& loop() override { return world.context; }
  RoomEntry room_entry() override { return RoomEntry(*this); }
  ProtocolHandler& handler() const override { return const_cast<Handler&>(protocol); }
  const auth::Claims* claims() const override { return held_claims.get(); }
  void set_claims(std::unique_ptr<auth::Claims> claims) override { held_claims = std::move(claims); }
  void move_to(LoopContext&, std::function<void()> then) override { then(); }
  void ask_store(store::StoreRequest request, std::function<void(const store::StoreRequest&)> then) override {
    store_asked.push_back(request.op);
    request.status = store_answer;
    then(request);
  }
  sockaddr_storage peer_address() const override { return {}; }
  std::function<void(bool)> hold(std::function<void(bool)> then) override { return then; }

  void say(std::string_view json) { protocol.on_text(json); }
  std::string last() const { return received.empty() ? "" : received.back(); }
};

}  // namespace rk::session::fakes
