#include "common/opcode.h"

#include <array>

namespace halter {
namespace {

// The table's letters and words are checked here, at compile time: a typo
// in opcodes.def fails the build (a throw is not a constant expression; these
// helpers never run at run time).
constexpr bool isLetter(char c) {
  return c == 'i' || c == 'l' || c == 'f' || c == 'd' || c == 'v';
}

constexpr OpSignature makeSignature(const char *params, const char *results) {
  OpSignature sig;
  if (params[0] == '*' || results[0] == '*') {
    sig.irregular = true;
    return sig;
  }
  for (; *params != '\0'; ++params) {
    if (!isLetter(*params) || sig.num_params == 3) throw "bad params in opcodes.def";
    sig.params[sig.num_params++] = letterType(*params);
  }
  for (; *results != '\0'; ++results) {
    if (!isLetter(*results) || sig.num_results == 1) throw "bad results in opcodes.def";
    sig.results[sig.num_results++] = letterType(*results);
  }
  return sig;
}

// Whether `s` starts with the whole word `word`.
constexpr bool wordAt(const char *s, const char *word) {
  for (; *word != '\0'; ++s, ++word)
    if (*s != *word) return false;
  return *s == '\0' || *s == ' ';
}

// "trap comm" -> OpFact bits.
constexpr uint8_t parseFacts(const char *s) {
  uint8_t bits = 0;
  while (*s != '\0') {
    if (wordAt(s, "trap")) {
      bits |= kMayTrap;
    } else if (wordAt(s, "comm")) {
      bits |= kCommutative;
    } else {
      throw "unknown fact in opcodes.def";
    }
    s += 4;
    if (*s == ' ') ++s;
  }
  return bits;
}

constexpr OpInfo kOpInfos[] = {
#define OP(id, text, prefix, code, imm, params, results, fuel, access, facts, inverse, mirror)     \
  OpInfo{text,         prefix,     code,                                                           \
         ImmKind::imm, params,     results,                                                        \
         fuel,         access,     parseFacts(facts),                                              \
         Op::inverse,  Op::mirror, makeSignature(params, results)},
#include "common/opcodes.def"
#undef OP
};
static_assert(sizeof(kOpInfos) / sizeof(kOpInfos[0]) == kOpCount);

constexpr uint16_t kNoOp = 0xFFFF;

struct Tables {
  std::array<uint16_t, 256> single{};
  std::array<uint16_t, 32> fc{};
  constexpr Tables() {
    single.fill(kNoOp);
    fc.fill(kNoOp);
    for (int i = 0; i < kOpCount; ++i) {
      const OpInfo &info = kOpInfos[i];
      if (info.prefix == 0)
        single[info.code] = static_cast<uint16_t>(i);
      else if (info.prefix == 0xFC)
        fc[info.code] = static_cast<uint16_t>(i);
    }
  }
};

constexpr Tables kTables;

} // namespace

const OpInfo &opInfo(Op op) {
  return kOpInfos[static_cast<int>(op)];
}

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
