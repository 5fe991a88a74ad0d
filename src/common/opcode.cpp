#include "common/opcode.h"

#include <array>

namespace halter {
namespace {

constexpr OpInfo kOpInfos[] = {
#define OP(id, text, prefix, code, imm, params, results, fuel)                                     \
  OpInfo{text, prefix, code, ImmKind::imm, params, results, fuel},
#include "common/opcodes.def"
#undef OP
};

constexpr uint16_t kNoOp = 0xFFFF;

struct Tables {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, 32> fc{};
  constexpr Tables() {
    single.fill(kNoOp);
    fc.fill(kNoOp);
    for (int i = 0; i < kOpCount; ++i) {
      const OpInfo &info = kOpInfos[i];
      if (info.prefix == 0) single[info.code] = static_cast<uint16_t>(i);
      else if (info.prefix == 0xFC) fc[info.code] = static_cast<uint16_t>(i);
    }
  }
};

constexpr Tables kTables;

} // namespace

const OpInfo &opInfo(Op op) { return kOpInfos[static_cast<int>(op)]; }

bool opFromByte(uint8_t byte, Op *out) {
  uint16_t v = kTables.single[byte];
  if (v == kNoOp || byte == 0xFC || byte == 0xFD) return false;
  *out = static_cast<Op>(v);
  return true;
}

bool opFromPrefixed(uint8_t prefix, uint32_t code, Op *out) {
  if (prefix == 0xFC && code < kTables.fc.size() && kTables.fc[code] != kNoOp) {
    *out = static_cast<Op>(kTables.fc[code]);
    return true;
  }
  return false;
}

} // namespace halter
