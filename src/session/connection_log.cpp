#include "session/connection_log.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "logging/log_format.h"
#include "util/address_text.h"

namespace rk::session {
namespace {

// Ids count connections across all loops; one atomic step per logged connection.
std::atomic<std::uint64_t> next_id{1};

constexpr std::size_t kKeyPrefix = 6;


}  // namespace

bool ConnectionLog::wanted() { return spdlog::should_log(spdlog::level::info); }

std::unique_ptr<ConnectionLog> ConnectionLog::open_if_logged(const sockaddr_storage& client, bool tls,
                                                            loop::Clock::time_point now) {
  if (!spdlog::should_log(spdlog::level::info)) return nullptr;
  std::unique_ptr<ConnectionLog> log(new ConnectionLog(next_id.fetch_add(1, std::memory_order_relaxed),
                                                       address_text(client), now));
  logging::log_event(spdlog::level::info, "connection opened",
                     logging::LogFields().number("conn", static_cast<std::int64_t>(log->id_)).text("client", log->client_)
                         .text("transport", tls ? "wss" : "ws"));
  return log;
}

void ConnectionLog::entered(std::string_view room_key, bool created, int protocol) {
  room_prefix_ = std::string(room_key.substr(0, kKeyPrefix));
  logging::log_event(spdlog::level::info, created ? "room created" : "room joined",
                     logging::LogFields()
                         .number("conn", static_cast<std::int64_t>(id_))
                         .text("client", client_)
                         .text("room", room_prefix_)
                         .number("protocol", protocol));
}

void ConnectionLog::closing(std::uint16_t code, bool by_client, std::string_view reason) {
  if (close_code_ != 0) return;  // the first close frame tells
  close_code_ = code;
  closed_by_client_ = by_client;
  close_reason_ = std::string(reason);
}

void ConnectionLog::closed(room::LeaveReason reason, loop::Clock::time_point now) {
  logging::LogFields fields;
  fields.number("conn", static_cast<std::int64_t>(id_)).text("client", client_);
  if (!room_prefix_.empty()) fields.text("room", room_prefix_);
  if (close_code_ != 0) {
    fields.number("code", close_code_).text("by", closed_by_client_ ? "client" : "server");
    if (!close_reason_.empty()) fields.text("reason", close_reason_);
  } else {
    fields.number("code", 1006).text("by", "none").text("reason", room::name_of(reason));  // no close frame: TCP ended
  }
  fields.seconds("duration_s", std::chrono::duration<double>(now - opened_).count());
  logging::log_event(spdlog::level::info, "connection closed", fields);
}

}  // namespace rk::session
