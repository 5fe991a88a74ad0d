// Instruction identities and their static facts, generated from opcodes.def.
#pragma once

#include <cstdint>

namespace halter {

enum class Op : uint16_t {
#define OP(id, text, prefix, code, imm, params, results, fuel) id,
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

struct OpInfo {
  const char *text; // "i32.add"
  uint8_t prefix;   // 0, 0xFC or 0xFD
  uint32_t code;    // byte, or the u32 after the prefix
  ImmKind imm;
  const char *params; // stack signature letters, or "*" when irregular
  const char *results;
  uint32_t fuel;
};

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
