#pragma once
// Builds complete outgoing frames. A server frame is header + payload in one
// buffer sized exactly, so that fan-out shares one allocation among all
// recipients and each socket's queue becomes one gather write.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "util/shared_frame.h"
#include "ws/close_code.h"
#include "ws/opcode.h"

namespace rk::ws {

// Appends an unmasked (server) frame header for a final frame.
void append_frame_header(std::string& out, Opcode opcode, std::uint64_t payload_length);

// One final, unmasked frame whose payload is the concatenation of `pieces`.
FramePtr make_frame(Opcode opcode, std::initializer_list<std::string_view> pieces);

inline FramePtr make_text_frame(std::initializer_list<std::string_view> pieces) {
  return make_frame(Opcode::kText, pieces);
}

// The payload of a frame built here (an unmasked server frame).
std::string_view server_frame_payload(const OutboundFrame& frame);

// A close frame; kNoStatus gives an empty payload. The reason is cut to fit
// the 125-byte control payload limit.
FramePtr make_close_frame(CloseCode code, std::string_view reason = {});

// A masked frame as a client sends it (tests, fuzz corpora, the bench).
std::string make_client_frame(Opcode opcode, std::string_view payload, bool fin = true,
                              std::uint32_t mask_key = 0x12345678);

}  // namespace rk::ws
