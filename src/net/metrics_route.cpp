#include "net/metrics_route.h"

#include <memory>
#include <mutex>
#include <sstream>

#include "session/loop_context.h"

namespace rk::net {
namespace {

struct Gathering {
  std::mutex mutex;
  session::MetricsSnapshot total;
  std::size_t waiting_for;
  std::function<void(session::MetricsSnapshot)> done;
};

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  template <typename Value>
  void sample(const std::string& name, const std::string& labels, Value value) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string label(const char* name, const std::string& value) { return std::string(name) + "=\"" + value + "\""; }

void write_connections(Writer& w, const session::MetricsSnapshot& s) {
  w.family("roomkey_connections", "gauge",
           "Open connections: http (before the upgrade, or a plain HTTP request), v1, v2 (by the protocol of "
           "their first message; v1 also before it)");
  w.sample("roomkey_connections", label("protocol", "http"), s.connections_http);
  w.sample("roomkey_connections", label("protocol", "v1"), s.connections_v1);
  w.sample("roomkey_connections", label("protocol", "v2"), s.connections_v2);
  w.family("roomkey_connections_accepted_total", "counter", "TCP connections accepted");
  w.sample("roomkey_connections_accepted_total", "", s.counters.connections_accepted);
  w.family("roomkey_closes_total", "counter", "WebSocket close handshakes by close code and by who began them");
  for (const auto& [code, count] : s.counters.closes_by_client)
    w.sample("roomkey_closes_total", label("code", std::to_string(code)) + "," + label("by", "client"), count);
  for (const auto& [code, count] : s.counters.closes_by_server)
    w.sample("roomkey_closes_total", label("code", std::to_string(code)) + "," + label("by", "server"), count);
}

void write_traffic(Writer& w, const session::MetricsSnapshot& s) {
  w.family("roomkey_rooms_in_memory", "gauge", "Rooms held in memory (with members, or remembering history)");
  w.sample("roomkey_rooms_in_memory", "", s.rooms);
  w.family("roomkey_messages_received_total", "counter", "WebSocket text messages received from clients");
  w.sample("roomkey_messages_received_total", "", s.counters.messages_received);
  w.family("roomkey_deliveries_total", "counter", "Publications handed to room members (one per recipient)");
  w.sample("roomkey_deliveries_total", "", s.counters.deliveries);
  w.family("roomkey_received_bytes_total", "counter", "Bytes read from client sockets (TLS records included)");
  w.sample("roomkey_received_bytes_total", "", s.bytes_received);
  w.family("roomkey_sent_bytes_total", "counter", "Bytes written to client sockets (TLS records included)");
  w.sample("roomkey_sent_bytes_total", "", s.bytes_sent);
  w.family("roomkey_slow_consumers_dropped_total", "counter",
           "Clients disconnected for not reading (--max-outbound-bytes)");
  w.sample("roomkey_slow_consumers_dropped_total", "", s.counters.slow_consumers_dropped);
  w.family("roomkey_limit_refusals_total", "counter", "Requests refused by a limit, by limit");
  for (std::size_t i = 0; i < s.counters.refused.size(); ++i)
    w.sample("roomkey_limit_refusals_total", label("limit", session::label_of(static_cast<session::Limit>(i))),
             s.counters.refused[i]);
}

void write_store(Writer& w, const store::StoreStats& stats) {
  w.family("roomkey_store_request_duration_seconds", "histogram",
           "Room store requests, from submit to answer (queueing included), by operation");
  for (std::size_t i = 0; i < store::kStoreOps.size(); ++i) {
    const store::OpStats& op = stats.by_op[i];
    const std::string op_label = label("op", store::name_of(store::kStoreOps[i]));
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < store::kLatencyBucketsS.size(); ++b) {
      cumulative += op.in_bucket[b];
      std::ostringstream bound;
      bound << store::kLatencyBucketsS[b];
      w.sample("roomkey_store_request_duration_seconds_bucket", op_label + "," + label("le", bound.str()), cumulative);
    }
    w.sample("roomkey_store_request_duration_seconds_bucket", op_label + "," + label("le", "+Inf"), op.count);
    w.sample("roomkey_store_request_duration_seconds_sum", op_label, op.sum_s);
    w.sample("roomkey_store_request_duration_seconds_count", op_label, op.count);
  }
  w.family("roomkey_store_errors_total", "counter", "Room store requests the store could not answer, by operation");
  for (std::size_t i = 0; i < store::kStoreOps.size(); ++i)
    w.sample("roomkey_store_errors_total", label("op", store::name_of(store::kStoreOps[i])), stats.by_op[i].failed);
}

}  // namespace

void collect_metrics(const Loops& loops, std::function<void(session::MetricsSnapshot)> done) {
  if (loops.empty()) return done({});
  auto gathering = std::make_shared<Gathering>();
  gathering->waiting_for = loops.size();
  gathering->done = std::move(done);
  for (session::LoopContext* loop : loops) {
    loop->loop.post([loop, gathering] {
      const session::MetricsSnapshot mine = loop->metrics_snapshot();
      std::unique_lock lock(gathering->mutex);
      gathering->total += mine;
      if (--gathering->waiting_for > 0) return;
      lock.unlock();
      gathering->done(std::move(gathering->total));
    });
  }
}

std::string prometheus_text(const session::MetricsSnapshot& loops, const store::StoreStats& store) {
  Writer w;
  w.family("roomkey_build_info", "gauge", "The running build: always 1, its version as a label");
  w.sample("roomkey_build_info", label("version", ROOMKEY_VERSION), 1);
  write_connections(w, loops);
  write_traffic(w, loops);
  write_store(w, store);
  return w.text();
}

}  // namespace rk::net
