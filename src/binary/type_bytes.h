// The type bytes of the binary format.
#pragma once

#include "halter/types.h"

#include <cstdint>

namespace halter::binary {

inline bool valTypeFromByte(uint8_t byte, ValType *out) {
  switch (byte) {
  case 0x7F:
  case 0x7E:
  case 0x7D:
  case 0x7C:
  case 0x7B:
  case 0x70:
  case 0x6F:
    *out = static_cast<ValType>(byte);
    return true;
  default:
    return false;
  }
}

inline bool refTypeFromByte(uint8_t byte, ValType *out) {
  if (byte != 0x70 && byte != 0x6F) return false;
  *out = static_cast<ValType>(byte);
  return true;
}

} // namespace halter::binary
