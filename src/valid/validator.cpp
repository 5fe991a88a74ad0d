#include "valid/validator.h"

#include "common/parallel_check.h"
#include "valid/function_validator.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace halter::valid {
namespace {

std::string num(uint64_t v) {
  return std::to_string(v);
}

// Offset of a section's payload, for entries the IR keeps no offset for.
uint64_t sectionOffset(const ir::Module &m, uint8_t id) {
  for (const ir::SectionRange &s : m.sections) {
    if (s.id == id) return s.begin;
  }
  return kNoOffset;
}

constexpr uint8_t kTypeSection = 1;
constexpr uint8_t kFunctionSection = 3;
constexpr uint8_t kTableSection = 4;
constexpr uint8_t kMemorySection = 5;
constexpr uint8_t kStartSection = 8;
constexpr uint8_t kDataCountSection = 12;

Result<void> checkTableLimits(const TableType &t, uint64_t offset) {
  if (t.limits.max && t.limits.min > *t.limits.max) {
    return makeError(ErrorCode::Invalid, offset, "size minimum must not be greater than maximum");
  }
  return okResult();
}

Result<void> checkMemoryLimits(const MemoryType &m, uint64_t offset) {
  if (m.limits.min > kMaxPages || (m.limits.max && *m.limits.max > kMaxPages)) {
    return makeError(ErrorCode::Invalid, offset, "memory size must be at most 65536 pages (4GiB)");
  }
  if (m.limits.max && m.limits.min > *m.limits.max) {
    return makeError(ErrorCode::Invalid, offset, "size minimum must not be greater than maximum");
  }
  return okResult();
}

// A constant expression must consist of constant instructions only and leave
// exactly one value of type `expected`. `global.get` may name only imported
// immutable globals, in every constant expression (the spec suite of this 2.0
// release rejects defined globals in segment offsets too).
Result<void> checkConstExpr(const ir::Module &m, const ir::ConstExpr &expr, ValType expected,
                            const char *what) {
  const uint64_t visible_globals = m.imported_globals.size();
  ValType produced = ValType::I32;
  for (const ir::ConstInstr &ci : expr.instrs) {
    switch (ci.op) {
    case Op::I32Const:
      produced = ValType::I32;
      break;
    case Op::I64Const:
      produced = ValType::I64;
      break;
    case Op::F32Const:
      produced = ValType::F32;
      break;
    case Op::F64Const:
      produced = ValType::F64;
      break;
    case Op::RefNull:
      produced = ci.ref_type;
      break;
    case Op::RefFunc:
      if (ci.value >= m.numFuncs()) {
        return makeError(ErrorCode::UnknownIndex, ci.offset, "unknown function " + num(ci.value));
      }
      produced = ValType::FuncRef;
      break;
    case Op::GlobalGet: {
      if (ci.value >= visible_globals) {
        return makeError(ErrorCode::UnknownIndex, ci.offset, "unknown global " + num(ci.value));
      }
      const GlobalType &gt = m.globalType(uint32_t(ci.value));
      if (gt.is_mutable) {
        return makeError(ErrorCode::InvalidConstExpr, ci.offset,
                         "constant expression required: global.get of mutable global " +
                             num(ci.value));
      }
      produced = gt.type;
      break;
    }
    default:
      return makeError(ErrorCode::InvalidConstExpr, ci.offset,
                       std::string("constant expression required: ") + opName(ci.op) +
                           " is not a constant instruction");
    }
  }
  if (expr.instrs.size() != 1) {
    return makeError(ErrorCode::TypeMismatch, expr.offset,
                     std::string("type mismatch in ") + what + ": expected one " +
                         valTypeName(expected) + ", got " + num(expr.instrs.size()) + " values");
  }
  if (produced != expected) {
    return makeError(ErrorCode::TypeMismatch, expr.offset,
                     std::string("type mismatch in ") + what + ": expected " +
                         valTypeName(expected) + ", got " + valTypeName(produced));
  }
  return okResult();
}

// The spec's C.refs: functions named anywhere outside function bodies (and the
// start section) may be referenced by `ref.func`.
std::vector<bool> declaredFunctions(const ir::Module &m) {
  std::vector<bool> declared(m.numFuncs(), false);
  auto mark = [&](const ir::ConstExpr &e) {
    for (const ir::ConstInstr &ci : e.instrs) {
      if (ci.op == Op::RefFunc && ci.value < declared.size()) declared[size_t(ci.value)] = true;
    }
  };
  for (const ir::Global &g : m.globals) mark(g.init);
  for (const ir::ElemSegment &e : m.elems) {
    mark(e.offset_expr);
    for (const ir::ConstExpr &item : e.items) mark(item);
  }
  for (const ir::DataSegment &d : m.datas) mark(d.offset_expr);
  for (const ir::Export &e : m.exports) {
    if (e.kind == ExternKind::Func && e.index < declared.size()) declared[e.index] = true;
  }
  return declared;
}

// Function bodies push and pop whole parameter and result lists, so their
// length bounds the work per instruction. The figures are the common engine
// limits (the JS API's), far above what compilers emit.
constexpr size_t kMaxFuncParams = 1000;
constexpr size_t kMaxFuncResults = 1000;

Result<void> checkTypes(const ir::Module &m) {
  const uint64_t at = sectionOffset(m, kTypeSection);
  for (size_t i = 0; i < m.types.size(); ++i) {
    const FuncType &t = m.types[i];
    if (t.params.size() > kMaxFuncParams || t.results.size() > kMaxFuncResults) {
      return makeError(ErrorCode::ImplementationLimit, at,
                       "type " + num(i) + " has more than 1000 parameters or results");
    }
  }
  return okResult();
}

Result<void> checkImports(const ir::Module &m) {
  for (const ir::Import &imp : m.imports) {
    switch (imp.kind) {
    case ExternKind::Func:
      if (imp.func_type >= m.types.size()) {
        return makeError(ErrorCode::UnknownIndex, imp.offset, "unknown type " + num(imp.func_type));
      }
      break;
    case ExternKind::Table:
      HALTER_TRY(checkTableLimits(imp.table, imp.offset));
      break;
    case ExternKind::Memory:
      HALTER_TRY(checkMemoryLimits(imp.memory, imp.offset));
      break;
    case ExternKind::Global:
      break;
    }
  }
  return okResult();
}

Result<void> checkDefinitions(const ir::Module &m) {
  const uint64_t func_offset = sectionOffset(m, kFunctionSection);
  for (size_t i = 0; i < m.functions.size(); ++i) {
    if (m.functions[i] >= m.types.size()) {
      uint64_t at = i < m.codes.size() ? m.codes[i].offset : func_offset;
      return makeError(ErrorCode::UnknownIndex, at, "unknown type " + num(m.functions[i]));
    }
  }
  if (m.codes.size() != m.functions.size()) {
    return makeError(ErrorCode::Malformed, func_offset,
                     "function and code section have inconsistent lengths");
  }
  const uint64_t table_offset = sectionOffset(m, kTableSection);
  for (const TableType &t : m.tables) HALTER_TRY(checkTableLimits(t, table_offset));

  const uint64_t memory_offset = sectionOffset(m, kMemorySection);
  if (m.numMemories() > 1) {
    return makeError(ErrorCode::Invalid, memory_offset, "multiple memories");
  }
  for (const MemoryType &mem : m.memories) HALTER_TRY(checkMemoryLimits(mem, memory_offset));

  for (size_t i = 0; i < m.globals.size(); ++i) {
    const ir::Global &g = m.globals[i];
    HALTER_TRY(checkConstExpr(m, g.init, g.type.type, "global initializer"));
  }
  return okResult();
}

Result<void> checkExports(const ir::Module &m) {
  std::vector<std::pair<std::string_view, uint64_t>> names;
  names.reserve(m.exports.size());
  for (const ir::Export &e : m.exports) {
    uint32_t limit = 0;
    const char *kind = externKindName(e.kind);
    switch (e.kind) {
    case ExternKind::Func:
      limit = m.numFuncs();
      kind = "function";
      break;
    case ExternKind::Table:
      limit = m.numTables();
      break;
    case ExternKind::Memory:
      limit = m.numMemories();
      break;
    case ExternKind::Global:
      limit = m.numGlobals();
      break;
    }
    if (e.index >= limit) {
      return makeError(ErrorCode::UnknownIndex, e.offset,
                       std::string("unknown ") + kind + " " + num(e.index));
    }
    names.emplace_back(e.name, e.offset);
  }
  std::stable_sort(names.begin(), names.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  for (size_t i = 1; i < names.size(); ++i) {
    if (names[i].first == names[i - 1].first) {
      uint64_t at = std::max(names[i].second, names[i - 1].second);
      return makeError(ErrorCode::DuplicateExport, at,
                       "duplicate export name \"" + std::string(names[i].first) + "\"");
    }
  }
  return okResult();
}

Result<void> checkStart(const ir::Module &m) {
  if (!m.start) return okResult();
  const uint64_t at = sectionOffset(m, kStartSection);
  if (*m.start >= m.numFuncs()) {
    return makeError(ErrorCode::UnknownIndex, at, "unknown function " + num(*m.start));
  }
  const FuncType &ft = m.funcType(*m.start);
  if (!ft.params.empty() || !ft.results.empty()) {
    return makeError(ErrorCode::Invalid, at,
                     "start function must have type () -> (), has " + ft.describe());
  }
  return okResult();
}

Result<void> checkSegments(const ir::Module &m) {
  for (const ir::ElemSegment &seg : m.elems) {
    if (!isRefType(seg.elem_type)) {
      return makeError(ErrorCode::Invalid, seg.offset, "element segment type must be a reference");
    }
    if (seg.mode == ir::SegmentMode::Active) {
      if (seg.table >= m.numTables()) {
        return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown table " + num(seg.table));
      }
      HALTER_TRY(checkConstExpr(m, seg.offset_expr, ValType::I32, "element segment offset"));
      if (m.tableType(seg.table).elem != seg.elem_type) {
        return makeError(ErrorCode::TypeMismatch, seg.offset,
                         std::string("type mismatch: element segment of ") +
                             valTypeName(seg.elem_type) + " for a table of " +
                             valTypeName(m.tableType(seg.table).elem));
      }
    }
    for (const ir::ConstExpr &item : seg.items) {
      HALTER_TRY(checkConstExpr(m, item, seg.elem_type, "element segment item"));
    }
  }
  for (const ir::DataSegment &seg : m.datas) {
    if (seg.mode != ir::SegmentMode::Active) continue;
    if (seg.memory >= m.numMemories()) {
      return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown memory " + num(seg.memory));
    }
    HALTER_TRY(checkConstExpr(m, seg.offset_expr, ValType::I32, "data segment offset"));
  }
  if (m.data_count && *m.data_count != m.datas.size()) {
    return makeError(ErrorCode::Malformed, sectionOffset(m, kDataCountSection),
                     "data count and data section have inconsistent lengths");
  }
  return okResult();
}

} // namespace

Result<void> validateModule(const ir::Module &module, unsigned threads) {
  HALTER_TRY(checkTypes(module));
  HALTER_TRY(checkImports(module));
  HALTER_TRY(checkDefinitions(module));
  HALTER_TRY(checkStart(module));
  HALTER_TRY(checkExports(module));
  HALTER_TRY(checkSegments(module));

  const std::vector<bool> declared = declaredFunctions(module);
  uint64_t code_bytes = 0;
  for (const ir::FunctionBody &body : module.codes) code_bytes += body.code_end - body.code_begin;
  return checkInOrder(uint32_t(module.codes.size()),
                      checkThreads(code_bytes, uint32_t(module.codes.size()), threads), [&] {
                        return [validator = FunctionValidator(module, declared)](
                                   uint32_t i) mutable { return validator.validate(i); };
                      });
}

} // namespace halter::valid
