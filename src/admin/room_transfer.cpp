#include "admin/room_transfer.h"

#include <vector>

#include "admin/room_json.h"

namespace rk::admin {
namespace {

// Rooms waiting for their batch to be written.
class BatchWriter {
 public:
  explicit BatchWriter(store::RoomCatalog& target) : target_(target) { batch_.reserve(kBatchRooms); }

  void add(store::RoomRecord room) {
    batch_.push_back(std::move(room));
    if (batch_.size() == kBatchRooms) flush();
  }
  void flush() {
    if (batch_.empty()) return;
    for (const auto outcome : target_.insert_rooms(batch_)) {
      switch (outcome) {
        case store::InsertOutcome::kInserted:
          ++counts_.imported;
          break;
        case store::InsertOutcome::kExisted:
          ++counts_.existed;
          break;
        case store::InsertOutcome::kExpired:
          ++counts_.expired;
          break;
      }
    }
    batch_.clear();
  }
  // Rooms added but not written yet.
  std::size_t pending() const { return batch_.size(); }
  const TransferCounts& counts() const { return counts_; }

 private:
  store::RoomCatalog& target_;
  std::vector<store::RoomRecord> batch_;
  TransferCounts counts_;
};

}  // namespace

std::string TransferCounts::summary() const {
  std::string text = "imported " + std::to_string(imported) + ", skipped " + std::to_string(existed) + " existing";
  if (expired > 0)
    text += ", skipped " + std::to_string(expired) + " expired (last used longer ago than --room-ttl)";
  return text;
}

ImportStopped::ImportStopped(std::uint64_t line, const std::string& why, TransferCounts done,
                             std::uint64_t first_unwritten_line)
    : std::runtime_error("line " + std::to_string(line) + ": " + why),
      line(line),
      done(done),
      first_unwritten_line(first_unwritten_line) {}

std::uint64_t export_rooms(store::RoomCatalog& source, std::ostream& out) {
  std::uint64_t rooms = 0;
  source.for_each_room([&](const store::RoomRecord& room) {
    out << to_json_line(room) << '\n';
    ++rooms;
  });
  out.flush();
  return rooms;
}

void check_lines(std::istream& in) {
  std::string line;
  for (std::uint64_t number = 1; std::getline(in, line); ++number) {
    if (is_blank(line)) continue;
    try {
      parse_json_line(line);
    } catch (const MalformedLine& error) {
      throw ImportStopped(number, error.what(), {}, 1);
    }
  }
}

TransferCounts import_rooms(std::istream& in, store::RoomCatalog& target) {
  BatchWriter writer(target);
  std::string line;
  std::uint64_t first_pending_line = 1;
  for (std::uint64_t number = 1; std::getline(in, line); ++number) {
    if (writer.pending() == 0) first_pending_line = number;
    if (is_blank(line)) continue;
    try {
      writer.add(parse_json_line(line));
    } catch (const MalformedLine& error) {
      throw ImportStopped(number, error.what(), writer.counts(), writer.pending() == 0 ? number : first_pending_line);
    }
  }
  writer.flush();
  return writer.counts();
}

TransferCounts copy_rooms(store::RoomCatalog& from, store::RoomCatalog& to) {
  BatchWriter writer(to);
  from.for_each_room([&](const store::RoomRecord& room) { writer.add(room); });
  writer.flush();
  return writer.counts();
}

}  // namespace rk::admin
