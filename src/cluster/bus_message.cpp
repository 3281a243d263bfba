#include "cluster/bus_message.h"

#include <charconv>

namespace rk::cluster {
namespace {

void field(std::string& out, std::string_view value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value.size()).ptr;
  out.append(digits, end).push_back(':');
  out.append(value);
}

template <typename Number>
void number_field(std::string& out, Number value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  field(out, std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

class Reader {
 public:
  explicit Reader(std::string_view text) : rest_(text) {}
  // One way to write each message: no leading zeros in lengths or numbers.
  std::optional<std::string_view> next() {
    std::size_t length = 0;
    const auto [end, ec] = std::from_chars(rest_.data(), rest_.data() + rest_.size(), length);
    if (ec != std::errc() || end == rest_.data() + rest_.size() || *end != ':') return std::nullopt;
    if (rest_.front() == '0' && end != rest_.data() + 1) return std::nullopt;
    const std::size_t header = static_cast<std::size_t>(end - rest_.data()) + 1;
    if (length > rest_.size() - header) return std::nullopt;
    const std::string_view value = rest_.substr(header, length);
    rest_.remove_prefix(header + length);
    return value;
  }
  template <typename Number>
  bool next_number(Number& out) {
    const auto text = next();
    // Digits only (a time or an offset is never negative), no leading zero.
    if (!text || text->empty() || text->front() < '0' || text->front() > '9' ||
        (text->front() == '0' && text->size() > 1))
      return false;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
    return ec == std::errc() && end == text->data() + text->size();
  }
  bool next_char(char& out) {
    const auto text = next();
    if (!text || text->size() != 1) return false;
    out = text->front();
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

bool read_publication(Reader& in, BusMessage& message) {
  auto epoch = in.next();
  if (!epoch || !in.next_number(message.offset) || !in.next_number(message.publication.at_ms)) return false;
  message.epoch = *epoch;
  auto& p = message.publication;
  if (!in.next_char(p.kind) || (p.kind != '0' && p.kind != '1' && p.kind != '2')) return false;
  auto node = in.next(), member = in.next(), person = in.next(), first = in.next(), second = in.next(),
       ack = in.next();
  if (!ack) return false;
  p.node = *node;
  p.member_id = *member;
  p.person_json = *person;
  p.first = *first;
  p.second = *second;
  p.ack_id = *ack;
  return true;
}

}  // namespace

void write_publication_body(const PublicationFields& fields, std::string& out) {
  number_field(out, fields.at_ms);
  field(out, std::string_view(&fields.kind, 1));
  field(out, fields.node);
  field(out, fields.member_id);
  field(out, fields.person_json);
  field(out, fields.first);
  field(out, fields.second);
  field(out, fields.ack_id);
}

std::string publication_message(std::string_view epoch, std::uint64_t offset, std::string_view body) {
  std::string out(1, static_cast<char>(MessageKind::kPublication));
  field(out, epoch);
  number_field(out, offset);
  out.append(body);
  return out;
}

// A join and a kick carry the same fields: node, member id, name.
static std::string member_message(MessageKind kind, std::string_view node, std::string_view member_id,
                           std::string_view person_json) {
  std::string out(1, static_cast<char>(kind));
  field(out, node);
  field(out, member_id);
  field(out, person_json);
  return out;
}

std::string join_message(std::string_view node, std::string_view member_id, std::string_view person_json) {
  return member_message(MessageKind::kJoin, node, member_id, person_json);
}

std::string leave_message(std::string_view node, std::string_view member_id, char reason) {
  std::string out(1, static_cast<char>(MessageKind::kLeave));
  field(out, node);
  field(out, member_id);
  field(out, std::string_view(&reason, 1));
  return out;
}

std::string destroyed_message(std::string_view node) {
  std::string out(1, static_cast<char>(MessageKind::kDestroyed));
  field(out, node);
  return out;
}

std::string kick_message(std::string_view node, std::string_view member_id, std::string_view person_json) {
  return member_message(MessageKind::kKick, node, member_id, person_json);
}

std::optional<BusMessage> parse_bus_message(std::string_view text) {
  if (text.empty()) return std::nullopt;
  BusMessage message;
  Reader in(text.substr(1));
  switch (text.front()) {
    case 'P':
      message.kind = MessageKind::kPublication;
      if (!read_publication(in, message)) return std::nullopt;
      break;
    case 'J':
    case 'K': {
      message.kind = static_cast<MessageKind>(text.front());
      auto node = in.next(), member = in.next(), person = in.next();
      if (!person) return std::nullopt;
      message.node = *node;
      message.member_id = *member;
      message.person_json = *person;
      break;
    }
    case 'L': {
      message.kind = MessageKind::kLeave;
      auto node = in.next(), member = in.next();
      if (!member || !in.next_char(message.reason)) return std::nullopt;
      message.node = *node;
      message.member_id = *member;
      break;
    }
    case 'D': {
      message.kind = MessageKind::kDestroyed;
      auto node = in.next();
      if (!node) return std::nullopt;
      message.node = *node;
      break;
    }
    default:
      return std::nullopt;
  }
  if (!in.done()) return std::nullopt;
  return message;
}

std::string member_field(std::string_view node, std::string_view member_id) {
  std::string out;
  out.reserve(node.size() + member_id.size() + 1);
  out.append(node).push_back('/');
  out.append(member_id);
  return out;
}

std::string state_field(char kind, std::string_view person_json) {
  std::string out(1, kind);
  out.append(person_json);
  return out;
}

}  // namespace rk::cluster
