// Instruction identities and their static facts, generated from opcodes.def.
#pragma once

#include "halter/types.h"

#include <cstdint>

namespace halter {

enum class Op : uint16_t {
#define OP(id, text, prefix, code, imm, params, results, fuel, access, facts, inverse, mirror) id,
#include "common/opcodes.def"
#undef OP
  Count_
};

inline constexpr int kOpCount = static_cast<int>(Op::Count_);

// The shape of an instruction's immediates in the binary format.
enum class ImmKind : uint8_t {
  None,
  BlockType,    // block type: empty, a value type, or a type index (s33)
  Label,        // label index
  LabelTable,   // vec(label) + default label
  Func,         // function index
  CallIndirect, // type index, table index
  Local,        // local index
  Global,       // global index
  Table,        // table index
  MemArg,       // align (u32), offset (u32)
  MemIdx,       // one reserved zero byte (memory index 0)
  I32,          // s32
  I64,          // s64
  F32,          // 4 bytes
  F64,          // 8 bytes
  RefType,      // one reference type byte
  SelectT,      // vec(valtype), exactly one
  MemoryInit,   // data index, memory index byte
  Data,         // data index
  MemoryCopy,   // two memory index bytes
  TableInit,    // element index, table index
  Elem,         // element index
  TableCopy,    // destination table index, source table index
};

// The stack signature of a table-typed instruction, decoded from its
// params/results letters; `irregular` ones ("*") the validator types by hand.
struct OpSignature {
  bool irregular = false;
  uint8_t num_params = 0;
  uint8_t num_results = 0;
  ValType params[3] = {};
  ValType results[1] = {};
};

// Bits of the facts column.
enum OpFact : uint8_t {
  kMayTrap = 1,     // "trap": may trap on its operands or on a limit (calls)
  kCommutative = 2, // "comm": operands swap bit-exactly (floats are not: NaN payloads)
};

struct OpInfo {
  const char *text; // "i32.add"
  uint8_t prefix;   // 0, 0xFC or 0xFD
  uint32_t code;    // byte, or the u32 after the prefix
  ImmKind imm;
  const char *params; // stack signature letters, or "*" when irregular
  const char *results;
  uint32_t fuel;
  uint8_t access_bytes; // bytes a load or store accesses; 0 for every other op
  uint8_t facts;        // OpFact bits
  Op inverse;           // integer compares: true exactly when this is false; else Nop
  Op mirror;            // integer compares: the same test with operands swapped; else Nop
  OpSignature sig;

  bool mayTrap() const { return (facts & kMayTrap) != 0; }
  bool commutative() const { return (facts & kCommutative) != 0; }
};

// The value type of one signature letter (i l f d v).
constexpr ValType letterType(char c) {
  switch (c) {
  case 'i':
    return ValType::I32;
  case 'l':
    return ValType::I64;
  case 'f':
    return ValType::F32;
  case 'd':
    return ValType::F64;
  default:
    return ValType::V128;
  }
}

const OpInfo &opInfo(Op op);

// Fuel of bulk operations beyond their static cost (DESIGN §3.3), charged
// before the work: one unit per kFuelBulkBytes bytes of memory.fill, copy
// and init, per kFuelBulkElems elements of table.fill, copy, init and grow,
// and per page of memory.grow.
inline constexpr uint64_t kFuelBulkBytes = 64;
inline constexpr uint64_t kFuelBulkElems = 8;
inline const char *opName(Op op) {
  return opInfo(op).text;
}

// Maps an encoding to an Op; false when the encoding is not an instruction.
bool opFromByte(uint8_t byte, Op *out);
bool opFromPrefixed(uint8_t prefix, uint32_t code, Op *out);

} // namespace halter
