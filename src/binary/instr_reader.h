// Walks the instructions of one function body (or constant expression),
// decoding immediates. Shared by the validator, the lowering and the
// disassembler so they agree on the encoding.
#pragma once

#include "common/opcode.h"
#include "halter/result.h"
#include "halter/types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace halter::binary {

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex } kind = Kind::Empty;
  ValType value = ValType::I32; // when Value
  uint32_t type_index = 0;      // when TypeIndex
};

// One decoded instruction. Only the fields its ImmKind names are meaningful.
struct Instr {
  Op op = Op::Nop;
  uint64_t offset = 0; // byte offset of the opcode in the module
  BlockType block;     // BlockType
  uint32_t index = 0;  // Label, Func, Local, Global, Table, Data, Elem; CallIndirect: type index;
                       // TableInit: element index; TableCopy: destination table; MemoryInit: data
  uint32_t index2 = 0; // CallIndirect: table index; TableInit: table; TableCopy: source table
  uint32_t align = 0;  // MemArg: log2 alignment as encoded
  uint64_t mem_offset = 0;         // MemArg: offset (u32 in 2.0)
  uint64_t bits = 0;               // I32/I64 (sign-extended to 64 bits)/F32/F64 constant bits
  ValType type = ValType::FuncRef; // RefType; SelectT: the first value type
  // SelectT: `index` holds the number of types in the vector. Only 1 is valid,
  // but other counts decode so the validator can report "invalid result arity".
  // LabelTable: the labels (default label last). Reused between instructions.
  std::vector<uint32_t> labels;
};

class InstrReader {
public:
  // `module_bytes` is the whole module; [begin, end) is the code to walk.
  InstrReader(std::span<const uint8_t> module_bytes, uint64_t begin, uint64_t end);

  bool atEnd() const { return pos_ >= end_; }
  uint64_t position() const { return pos_; }

  // Decodes the next instruction into `out`. Errors: UnexpectedEnd,
  // MalformedOpcode, MalformedLeb, Malformed (e.g. a non-zero reserved byte).
  Result<void> next(Instr &out);

private:
  std::span<const uint8_t> bytes_;
  uint64_t pos_;
  uint64_t end_;
};

} // namespace halter::binary
