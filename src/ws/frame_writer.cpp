#include "ws/frame_writer.h"

#include <cstring>

#include "ws/frame_parser.h"

namespace rk::ws {
namespace {

std::size_t header_size(std::uint64_t length) { return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10; }

void append_header(std::string& out, std::uint8_t first_byte, bool masked, std::uint64_t length) {
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  out.push_back(static_cast<char>(first_byte));
  if (length < 126) {
    out.push_back(static_cast<char>(mask_bit | static_cast<char>(length)));
  } else if (length <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xFF));
  }
}

}  // namespace

void append_frame_header(std::string& out, Opcode opcode, std::uint64_t payload_length) {
  append_header(out, static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(opcode)), false, payload_length);
}

FramePtr make_frame(Opcode opcode, std::initializer_list<std::string_view> pieces) {
  std::size_t length = 0;
  for (auto piece : pieces) length += piece.size();
  std::string header;  // at most 10 bytes: stays in the string's inline buffer
  append_frame_header(header, opcode, length);
  auto frame = OutboundFrame::allocate(header.size() + length);
  char* out = frame->mutable_data();
  std::memcpy(out, header.data(), header.size());
  out += header.size();
  for (auto piece : pieces) {
    if (piece.empty()) continue;
    std::memcpy(out, piece.data(), piece.size());
    out += piece.size();
  }
  return frame;
}

std::string_view server_frame_payload(const OutboundFrame& frame) {
  const auto length_byte = static_cast<unsigned char>(frame.data()[1]) & 0x7f;
  const std::size_t header = length_byte < 126 ? 2 : length_byte == 126 ? 4 : 10;
  return frame.view().substr(header);
}

FramePtr make_close_frame(CloseCode code, std::string_view reason) {
  if (code == CloseCode::kNoStatus) return make_frame(Opcode::kClose, {});
  if (reason.size() > 123) {
    reason = reason.substr(0, 123);
    // Never cut a UTF-8 sequence in half: back up to a lead byte.
    while (!reason.empty() && (static_cast<unsigned char>(reason.back()) & 0xC0) == 0x80) reason.remove_suffix(1);
    if (!reason.empty() && (static_cast<unsigned char>(reason.back()) & 0x80)) reason.remove_suffix(1);
  }
  const auto value = static_cast<std::uint16_t>(code);
  const char code_bytes[2] = {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)};
  return make_frame(Opcode::kClose, {std::string_view(code_bytes, 2), reason});
}

std::string make_client_frame(Opcode opcode, std::string_view payload, bool fin, std::uint32_t mask_key) {
  std::string out;
  out.reserve(header_size(payload.size()) + 4 + payload.size());
  append_header(out, static_cast<std::uint8_t>((fin ? 0x80 : 0) | static_cast<std::uint8_t>(opcode)), true,
                payload.size());
  char key[4];
  std::memcpy(key, &mask_key, 4);
  out.append(key, 4);
  const std::size_t start = out.size();
  out.append(payload);
  apply_mask(std::span<char>(out.data() + start, payload.size()), mask_key);
  return out;
}

}  // namespace rk::ws
