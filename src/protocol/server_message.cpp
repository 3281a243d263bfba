#include "protocol/server_message.h"

#include <string>

#include "protocol/json_text.h"
#include "ws/frame_writer.h"

namespace rk::protocol {

FramePtr location_frame(std::string_view person_json, std::string_view latitude, std::string_view longitude) {
  return ws::make_text_frame({R"({"type":"Location Data","person":)", person_json, R"(,"latitude":)", latitude,
                              R"(,"longitude":)", longitude, "}"});
}

FramePtr relay_frame(std::string_view person_json, std::string_view data) {
  return ws::make_text_frame({R"({"type":"message","person":)", person_json, R"(,"data":)", data, "}"});
}

FramePtr init_reply_frame(std::string_view key) {
  return ws::make_text_frame({R"({"type":"init","join":)", json_string(key), "}"});
}

FramePtr connection_message_frame(std::string_view message) {
  return ws::make_text_frame({R"({"type":"connection_message","message":)", json_string(message), "}"});
}

FramePtr connection_message_frame_after(std::string_view name_json, std::string_view suffix) {
  return ws::make_text_frame({R"({"type":"connection_message","message":)", name_json.substr(0, name_json.size() - 1),
                              suffix, "\"}"});
}

FramePtr error_frame(std::string_view message) {
  return ws::make_text_frame({R"({"type":"error","message":)", json_string(message), "}"});
}

}  // namespace rk::protocol
