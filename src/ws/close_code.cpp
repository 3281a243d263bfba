#include "ws/close_code.h"

namespace rk::ws {

bool is_valid_close_code_on_wire(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003:
    case 1007: case 1008: case 1009: case 1010: case 1011:
    case 1012: case 1013: case 1014:
      return true;
    default:
      return false;  // 1004-1006 and 1015 are reserved; the rest unassigned
  }
}

}  // namespace rk::ws
