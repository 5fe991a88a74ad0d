// The immutable description of a decoded module. Code bodies stay as byte
// ranges into `bytes`; binary::InstrReader walks them.
#pragma once

#include "common/opcode.h"
#include "halter/types.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace halter::ir {

// One instruction of a constant expression (the terminating `end` excluded).
struct ConstInstr {
  Op op = Op::I32Const;  // I32Const, I64Const, F32Const, F64Const, RefNull, RefFunc, GlobalGet
  uint64_t value = 0;    // const bits, or the function/global index
  ValType ref_type = ValType::FuncRef; // for RefNull
  uint64_t offset = 0;   // byte offset of the instruction
};

struct ConstExpr {
  std::vector<ConstInstr> instrs;
  uint64_t offset = 0; // byte offset of the expression
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0; // type index, when kind == Func
  TableType table;
  MemoryType memory;
  GlobalType global;
  uint64_t offset = 0;
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  uint64_t offset = 0;
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Passive;
  uint32_t table = 0;
  ConstExpr offset_expr; // when Active
  ValType elem_type = ValType::FuncRef;
  std::vector<ConstExpr> items; // function-index forms are stored as RefFunc exprs
  uint64_t offset = 0;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Passive; // never Declarative
  uint32_t memory = 0;
  ConstExpr offset_expr; // when Active
  uint64_t data_begin = 0; // byte range of the contents in Module::bytes
  uint64_t data_size = 0;
  uint64_t offset = 0;
};

struct LocalGroup {
  uint32_t count = 0;
  ValType type = ValType::I32;
};

struct FunctionBody {
  std::vector<LocalGroup> locals; // declared locals (params excluded), as encoded
  uint64_t total_locals = 0;      // sum of counts
  uint64_t code_begin = 0;        // first instruction byte
  uint64_t code_end = 0;          // one past the final `end`
  uint64_t offset = 0;            // byte offset of the body's size field
};

struct CustomSection {
  std::string name;
  uint64_t begin = 0; // payload after the name
  uint64_t end = 0;
};

struct SectionRange {
  uint8_t id = 0;
  uint64_t begin = 0; // payload begin (after the size)
  uint64_t end = 0;
};

// Names from the `name` custom section (best effort: a malformed name
// section is ignored, as the spec allows).
struct Names {
  std::string module;
  std::map<uint32_t, std::string> functions;
};

struct Module {
  std::vector<uint8_t> bytes; // the whole binary

  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<uint32_t> functions; // type index of each defined function
  std::vector<TableType> tables;   // defined tables
  std::vector<MemoryType> memories; // defined memories
  std::vector<Global> globals;      // defined globals
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::optional<uint32_t> data_count;
  std::vector<FunctionBody> codes; // one per defined function
  std::vector<DataSegment> datas;
  std::vector<CustomSection> customs;
  std::vector<SectionRange> sections; // every section in order, custom ones included
  Names names;

  // The imports of each kind, in order; filled by the decoder alongside `imports`.
  // Imports come first in each index space.
  std::vector<uint32_t> imported_funcs; // type index of each imported function
  std::vector<TableType> imported_tables;
  std::vector<MemoryType> imported_memories;
  std::vector<GlobalType> imported_globals;

  uint32_t numImportedFuncs() const { return uint32_t(imported_funcs.size()); }
  uint32_t numFuncs() const { return uint32_t(imported_funcs.size() + functions.size()); }
  uint32_t numTables() const { return uint32_t(imported_tables.size() + tables.size()); }
  uint32_t numMemories() const { return uint32_t(imported_memories.size() + memories.size()); }
  uint32_t numGlobals() const { return uint32_t(imported_globals.size() + globals.size()); }

  // Index-space lookups (imports first). Indices must be in range.
  uint32_t funcTypeIndex(uint32_t func_index) const {
    return func_index < imported_funcs.size() ? imported_funcs[func_index]
                                              : functions[func_index - imported_funcs.size()];
  }
  const FuncType &funcType(uint32_t func_index) const { return types[funcTypeIndex(func_index)]; }
  const TableType &tableType(uint32_t i) const {
    return i < imported_tables.size() ? imported_tables[i] : tables[i - imported_tables.size()];
  }
  const MemoryType &memoryType(uint32_t i) const {
    return i < imported_memories.size() ? imported_memories[i]
                                        : memories[i - imported_memories.size()];
  }
  const GlobalType &globalType(uint32_t i) const {
    return i < imported_globals.size() ? imported_globals[i]
                                       : globals[i - imported_globals.size()].type;
  }
};

} // namespace halter::ir
