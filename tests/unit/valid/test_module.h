// Builds ir::Module values by hand for validator tests, so the tests do not
// depend on the decoder: function bodies are real instruction bytes placed in
// Module::bytes, everything else is filled in directly.
#pragma once

#include "common/opcode.h"
#include "halter/result.h"
#include "ir/module.h"
#include "valid/validator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace halter::valid::test {

// Instruction bytes of one body or fragment.
class Code {
public:
  Code &op(Op o) {
    const OpInfo &info = opInfo(o);
    if (info.prefix != 0) {
      bytes.push_back(info.prefix);
      u(info.code);
    } else {
      bytes.push_back(uint8_t(info.code));
    }
    return *this;
  }
  Code &u(uint64_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      bytes.push_back(uint8_t(b | (v ? 0x80 : 0)));
    } while (v);
    return *this;
  }
  Code &s(int64_t v) {
    while (true) {
      uint8_t b = v & 0x7F;
      v >>= 7;
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      bytes.push_back(uint8_t(b | (done ? 0 : 0x80)));
      if (done) return *this;
    }
  }
  Code &b(uint8_t v) {
    bytes.push_back(v);
    return *this;
  }
  Code &t(ValType type) { return b(uint8_t(type)); }
  Code &i32(int32_t v) { return op(Op::I32Const).s(v); }
  Code &i64(int64_t v) { return op(Op::I64Const).s(v); }
  Code &f32() { return op(Op::F32Const).b(0).b(0).b(0).b(0); }
  Code &f64() {
    op(Op::F64Const);
    for (int i = 0; i < 8; ++i) b(0);
    return *this;
  }
  Code &end() { return op(Op::End); }
  // memarg: log2 alignment and offset.
  Code &mem(uint32_t align, uint32_t offset = 0) { return u(align).u(offset); }

  std::vector<uint8_t> bytes;
};

inline ir::ConstExpr constExpr(std::initializer_list<ir::ConstInstr> instrs, uint64_t offset = 1) {
  ir::ConstExpr e;
  e.instrs = instrs;
  e.offset = offset;
  return e;
}
inline ir::ConstInstr ci(Op op, uint64_t value = 0, ValType ref = ValType::FuncRef) {
  ir::ConstInstr c;
  c.op = op;
  c.value = value;
  c.ref_type = ref;
  c.offset = 2;
  return c;
}

class TestModule {
public:
  TestModule() { m.bytes.assign(8, 0); } // stand-in header, so body offsets are not 0

  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    m.types.push_back(FuncType{std::move(params), std::move(results)});
    return uint32_t(m.types.size() - 1);
  }

  // Adds a defined function; returns its function index. `code` must include the final end.
  uint32_t func(uint32_t type_index, const Code &code, std::vector<ir::LocalGroup> locals = {}) {
    ir::FunctionBody body;
    body.offset = m.bytes.size();
    for (const ir::LocalGroup &g : locals) body.total_locals += g.count;
    body.locals = std::move(locals);
    body.code_begin = m.bytes.size();
    m.bytes.insert(m.bytes.end(), code.bytes.begin(), code.bytes.end());
    body.code_end = m.bytes.size();
    m.functions.push_back(type_index);
    m.codes.push_back(std::move(body));
    return m.numFuncs() - 1;
  }

  // Offset in the module of byte `i` of the most recently added body.
  uint64_t at(size_t i) const { return m.codes.back().code_begin + i; }

  uint32_t importFunc(uint32_t type_index) {
    ir::Import imp;
    imp.module = "env";
    imp.name = "f" + std::to_string(m.imports.size());
    imp.kind = ExternKind::Func;
    imp.func_type = type_index;
    imp.offset = 3;
    m.imports.push_back(imp);
    m.imported_funcs.push_back(type_index);
    return m.numImportedFuncs() - 1;
  }
  uint32_t importGlobal(ValType type, bool is_mutable) {
    ir::Import imp;
    imp.module = "env";
    imp.name = "g" + std::to_string(m.imports.size());
    imp.kind = ExternKind::Global;
    imp.global = GlobalType{type, is_mutable};
    imp.offset = 3;
    m.imports.push_back(imp);
    m.imported_globals.push_back(imp.global);
    return uint32_t(m.imported_globals.size() - 1);
  }
  uint32_t global(ValType type, bool is_mutable, ir::ConstExpr init) {
    m.globals.push_back(ir::Global{GlobalType{type, is_mutable}, std::move(init)});
    return m.numGlobals() - 1;
  }
  uint32_t table(ValType elem, uint64_t min = 1, std::optional<uint64_t> max = {}) {
    m.tables.push_back(TableType{elem, SizeLimits{min, max}});
    return m.numTables() - 1;
  }
  void memory(uint64_t min = 1, std::optional<uint64_t> max = {}) {
    m.memories.push_back(MemoryType{SizeLimits{min, max}});
  }
  void exportItem(const std::string &name, ExternKind kind, uint32_t index, uint64_t offset = 5) {
    m.exports.push_back(ir::Export{name, kind, index, offset});
  }
  // A declarative segment naming `funcs`, which makes them valid `ref.func` targets.
  void declare(std::initializer_list<uint32_t> funcs) {
    ir::ElemSegment seg;
    seg.mode = ir::SegmentMode::Declarative;
    for (uint32_t f : funcs) seg.items.push_back(constExpr({ci(Op::RefFunc, f)}));
    m.elems.push_back(std::move(seg));
  }
  void passiveElem(ValType type) {
    ir::ElemSegment seg;
    seg.mode = ir::SegmentMode::Passive;
    seg.elem_type = type;
    m.elems.push_back(std::move(seg));
  }

  Result<void> validate() const { return validateModule(m); }

  ir::Module m;
};

// The error of a validation that must fail, or a default Error (failing the
// test) when it passed.
inline Error failure(const TestModule &tm) {
  Result<void> r = tm.validate();
  EXPECT_FALSE(r.ok()) << "validation unexpectedly passed";
  if (r.ok()) return Error{};
  return r.error();
}

#define EXPECT_VALID(tm)                                                                           \
  do {                                                                                             \
    auto valid_result_ = (tm).validate();                                                          \
    EXPECT_TRUE(valid_result_.ok()) << valid_result_.error().describe();                           \
  } while (0)

} // namespace halter::valid::test
