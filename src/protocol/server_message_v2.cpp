#include "protocol/server_message_v2.h"

#include <charconv>
#include <string>

#include "protocol/json_text.h"
#include "ws/frame_writer.h"

namespace rk::protocol::v2 {
namespace {

// Decimal text of an integer in a buffer on the stack.
class Number {
 public:
  template <typename T>
  explicit Number(T value) : end_(std::to_chars(buffer_, buffer_ + sizeof buffer_, value).ptr) {}
  std::string_view view() const { return {buffer_, static_cast<std::size_t>(end_ - buffer_)}; }

 private:
  char buffer_[24];
  char* end_;
};

std::string_view type_name(PublicationType type) {
  switch (type) {
    case PublicationType::kLocation:
      return "Location Data";
    case PublicationType::kMessage:
      return "message";
    case PublicationType::kState:
      return "state";
  }
  return "message";
}

void append_member(std::string& out, const MemberView& member) {
  out.append(R"({"id":")").append(member.id).append(R"(","person":)").append(member.person_json).append("}");
}

void append_members(std::string& out, std::span<const MemberView> members) {
  out.push_back('[');
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) out.push_back(',');
    append_member(out, members[i]);
  }
  out.push_back(']');
}

void append_publications(std::string& out, std::span<const std::string_view> publications) {
  out.push_back('[');
  for (std::size_t i = 0; i < publications.size(); ++i) {
    if (i) out.push_back(',');
    out.append(publications[i]);
  }
  out.push_back(']');
}

FramePtr frame_of(const std::string& json) { return ws::make_text_frame({json}); }

}  // namespace

void write_publication(const PublicationFields& f, std::string& out) {
  out.assign(R"({"type":")").append(type_name(f.type)).append(R"(","from":")").append(f.from);
  out.append(R"(","person":)").append(f.person_json);
  if (f.type == PublicationType::kLocation) {
    out.append(R"(,"latitude":)").append(f.first).append(R"(,"longitude":)").append(f.second);
  } else {
    out.append(R"(,"data":)").append(f.first);
  }
  out.append(R"(,"offset":)").append(Number(f.offset).view());
  out.append(R"(,"at":)").append(Number(f.at_ms).view()).push_back('}');
}

FramePtr publication_frame(const PublicationFields& f) {
  std::string json;
  write_publication(f, json);
  return frame_of(json);
}

FramePtr joined_frame(const Joined& j) {
  std::string out = R"({"type":"joined","v":2,"join":)";
  out.append(json_string(j.key));
  out.append(R"(,"created":)").append(j.created ? "true" : "false");
  out.append(R"(,"owner":)").append(j.owner ? "true" : "false");
  out.append(R"(,"you":)");
  append_member(out, j.you);
  out.append(R"(,"members":)");
  append_members(out, j.members);
  out.append(R"(,"epoch":)").append(json_string(j.epoch));
  out.append(R"(,"offset":)").append(Number(j.offset).view());
  out.append(R"(,"state":)");
  append_publications(out, j.state);
  if (j.resumed) {
    out.append(R"(,"recovered":)").append(j.recovered ? "true" : "false");
    out.append(R"(,"missed":)");
    append_publications(out, j.missed);
  }
  out.push_back('}');
  return frame_of(out);
}

FramePtr presence_join_frame(const MemberView& member) {
  std::string out = R"({"type":"presence","event":"join","member":)";
  append_member(out, member);
  out.push_back('}');
  return frame_of(out);
}

FramePtr presence_leave_frame(const MemberView& member, std::string_view reason) {
  std::string out = R"({"type":"presence","event":"leave","member":)";
  append_member(out, member);
  out.append(R"(,"reason":")").append(reason).append(R"("})");
  return frame_of(out);
}

FramePtr presence_list_frame(std::span<const MemberView> members) {
  std::string out = R"({"type":"presence","members":)";
  append_members(out, members);
  out.push_back('}');
  return frame_of(out);
}

namespace {
// {"type":T,"epoch":E,"offset":O,"LIST":[...]}: where a sequence stands, and
// publications of it.
FramePtr sequence_frame(std::string_view type, std::string_view epoch, std::uint64_t offset, std::string_view list,
                        std::span<const std::string_view> publications) {
  std::string out = R"({"type":")";
  out.append(type).append(R"(","epoch":)").append(json_string(epoch));
  out.append(R"(,"offset":)").append(Number(offset).view());
  out.append(R"(,")").append(list).append(R"(":)");
  append_publications(out, publications);
  out.push_back('}');
  return frame_of(out);
}
}  // namespace

FramePtr history_frame(std::string_view epoch, std::uint64_t offset, std::span<const std::string_view> publications) {
  return sequence_frame("history", epoch, offset, "publications", publications);
}

FramePtr reset_frame(std::string_view epoch, std::uint64_t offset, std::span<const std::string_view> state) {
  return sequence_frame("reset", epoch, offset, "state", state);
}

FramePtr ack_frame(std::string_view id_json, std::uint64_t offset) {
  const Number number(offset);
  return ws::make_text_frame({R"({"type":"ack","id":)", id_json, R"(,"offset":)", number.view(), "}"});
}

FramePtr refreshed_frame(std::int64_t expires_at) {
  return ws::make_text_frame({R"({"type":"refreshed","exp":)", std::to_string(expires_at), "}"});
}

FramePtr destroyed_frame(std::string_view key) {
  return ws::make_text_frame({R"({"type":"destroyed","join":)", json_string(key), "}"});
}

FramePtr error_frame(std::string_view code, std::string_view message, std::string_view id_json) {
  if (id_json.empty())
    return ws::make_text_frame({R"({"type":"error","code":")", code, R"(","message":)", json_string(message), "}"});
  return ws::make_text_frame({R"({"type":"error","code":")", code, R"(","message":)", json_string(message),
                              R"(,"id":)", id_json, "}"});
}

}  // namespace rk::protocol::v2
