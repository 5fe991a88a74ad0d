// Section ids of the binary format and the order they must come in.
#pragma once

#include <cstdint>

namespace halter::binary {

enum SectionId : uint8_t {
  kCustom = 0,
  kType = 1,
  kImport = 2,
  kFunction = 3,
  kTable = 4,
  kMemory = 5,
  kGlobal = 6,
  kExport = 7,
  kStart = 8,
  kElement = 9,
  kCode = 10,
  kData = 11,
  kDataCount = 12,
};

// Position of a non-custom section in the required order (datacount sits
// between element and code); custom sections may go anywhere.
inline int sectionRank(uint8_t id) {
  switch (id) {
  case kDataCount:
    return 10;
  case kCode:
    return 11;
  case kData:
    return 12;
  default:
    return id;
  }
}

} // namespace halter::binary
