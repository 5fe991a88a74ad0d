#include "runtime/instantiate.h"

#include "compile/compiled_function.h"
#include "runtime/type_registry.h"

#include <cstring>
#include <string>

namespace halter::rt {

namespace {

std::string limitsText(uint64_t min, const std::optional<uint64_t> &max) {
  std::string s = "{min " + std::to_string(min);
  if (max) s += ", max " + std::to_string(*max);
  return s + "}";
}

Error incompatible(const ir::Import &imp, const std::string &detail) {
  return makeError(ErrorCode::IncompatibleImport, imp.offset,
                   "incompatible import type for " + imp.module + "." + imp.name + ": " + detail);
}

// WebAssembly 2.0 limits subtyping: the actual limits must lie within the
// imported ones.
bool limitsMatch(uint64_t actual_min, const std::optional<uint64_t> &actual_max,
                 const Limits &want) {
  if (actual_min < want.min) return false;
  if (want.max) return actual_max.has_value() && *actual_max <= *want.max;
  return true;
}

Result<void> checkImport(const ir::Import &imp, const Extern &ext, const Instance &inst) {
  if (!ext.valid()) return incompatible(imp, "the provided value is empty");
  if (ext.kind() != imp.kind) {
    return incompatible(imp, std::string("expected ") + externKindName(imp.kind) + ", got " +
                                 externKindName(ext.kind()));
  }
  switch (imp.kind) {
  case ExternKind::Func: {
    auto *fn = static_cast<const Function *>(ext.object_);
    const FuncType *want = inst.types[imp.func_type];
    if (fn->type != want) {
      return incompatible(imp, "expected function " + want->describe() + ", got " +
                                   (fn->type ? fn->type->describe() : std::string("?")));
    }
    return okResult();
  }
  case ExternKind::Table: {
    auto *table = static_cast<const Table *>(ext.object_);
    const TableType &have = table->type();
    if (have.elem != imp.table.elem) {
      return incompatible(imp, std::string("expected table of ") + valTypeName(imp.table.elem) +
                                   ", got table of " + valTypeName(have.elem));
    }
    if (!limitsMatch(table->size(), have.limits.max, imp.table.limits)) {
      return incompatible(imp, "expected table limits " +
                                   limitsText(imp.table.limits.min, imp.table.limits.max) +
                                   ", got " + limitsText(table->size(), have.limits.max));
    }
    return okResult();
  }
  case ExternKind::Memory: {
    auto *mem = static_cast<const Memory *>(ext.object_);
    const MemoryType &have = mem->type();
    if (!limitsMatch(mem->pages(), have.limits.max, imp.memory.limits)) {
      return incompatible(imp, "expected memory limits " +
                                   limitsText(imp.memory.limits.min, imp.memory.limits.max) +
                                   ", got " + limitsText(mem->pages(), have.limits.max));
    }
    return okResult();
  }
  case ExternKind::Global: {
    auto *global = static_cast<const Global *>(ext.object_);
    const GlobalType &have = global->type();
    if (!(have == imp.global)) {
      auto text = [](const GlobalType &t) {
        return std::string(t.is_mutable ? "mut " : "") + valTypeName(t.type);
      };
      return incompatible(imp,
                          "expected global " + text(imp.global) + ", got global " + text(have));
    }
    return okResult();
  }
  }
  return incompatible(imp, "unknown kind");
}

// Evaluates a constant expression against the instance built so far.
Result<Value> evalConst(const ir::ConstExpr &expr, const Instance &inst) {
  std::vector<Value> stack;
  for (const ir::ConstInstr &in : expr.instrs) {
    switch (in.op) {
    case Op::I32Const:
      stack.push_back(Value::i32(uint32_t(in.value)));
      break;
    case Op::I64Const:
      stack.push_back(Value::i64(in.value));
      break;
    case Op::F32Const:
      stack.push_back(Value::f32Bits(uint32_t(in.value)));
      break;
    case Op::F64Const:
      stack.push_back(Value::f64Bits(in.value));
      break;
    case Op::RefNull:
      stack.push_back(Value::nullRef(in.ref_type));
      break;
    case Op::RefFunc:
      if (in.value >= inst.funcs.size()) {
        return makeError(ErrorCode::UnknownIndex, in.offset, "unknown function in ref.func");
      }
      stack.push_back(Value::ref(ValType::FuncRef, inst.funcs[in.value]));
      break;
    case Op::GlobalGet:
      if (in.value >= inst.globals.size()) {
        return makeError(ErrorCode::UnknownIndex, in.offset, "unknown global in global.get");
      }
      stack.push_back(inst.globals[in.value]->get());
      break;
    default:
      return makeError(ErrorCode::InvalidConstExpr, in.offset,
                       std::string("unsupported constant instruction ") + opName(in.op));
    }
  }
  if (stack.size() != 1) {
    return makeError(ErrorCode::InvalidConstExpr, expr.offset,
                     "constant expression must produce exactly one value");
  }
  return stack.back();
}

} // namespace

Result<std::shared_ptr<Instance>> instantiate(const ModuleRef &module,
                                              std::span<const Extern> imports,
                                              const InstanceConfig &config) {
  const ir::Module &m = *module.ir;
  if (imports.size() != m.imports.size()) {
    return makeError(ErrorCode::Internal, kNoOffset,
                     "expected " + std::to_string(m.imports.size()) + " imports, got " +
                         std::to_string(imports.size()));
  }
  if (!m.functions.empty() &&
      (module.code == nullptr || module.code->size() != m.functions.size())) {
    return makeError(ErrorCode::Internal, kNoOffset, "module code does not match its functions");
  }

  auto inst = std::make_shared<Instance>();
  inst->module_owner = module.owner;
  inst->ir = module.ir;
  inst->code = module.code;
  inst->config = config;
  inst->types.reserve(m.types.size());
  for (const FuncType &t : m.types) inst->types.push_back(internFuncType(t));

  for (size_t i = 0; i < imports.size(); ++i) {
    HALTER_TRY(checkImport(m.imports[i], imports[i], *inst));
  }

  // Bind imports. An importer that stores references (to its own functions,
  // or to anything it keeps alive) in an imported table or mutable reference
  // global must live as long as that object, so the object keeps it alive
  // (see keepAliveIn). With refcounting this is a reference cycle (instance ->
  // table -> instance) that is never freed: the price of memory safety
  // without a collector. It is only formed when it can matter.
  for (const Extern &ext : imports) {
    switch (ext.kind()) {
    case ExternKind::Func:
      inst->funcs.push_back(static_cast<Function *>(ext.object_));
      if (ext.owner_) inst->keepalive.push_back(ext.owner_);
      break;
    case ExternKind::Table:
      inst->tables.emplace_back(ext.owner_, static_cast<Table *>(ext.object_));
      break;
    case ExternKind::Memory:
      inst->memories.emplace_back(ext.owner_, static_cast<Memory *>(ext.object_));
      break;
    case ExternKind::Global:
      inst->globals.emplace_back(ext.owner_, static_cast<Global *>(ext.object_));
      break;
    }
  }
  const size_t num_imported_tables = m.imported_tables.size();
  std::vector<bool> table_keeps_inst(num_imported_tables, false);
  auto keepAliveIn = [&](size_t table_index) {
    if (table_index < num_imported_tables && !table_keeps_inst[table_index]) {
      table_keeps_inst[table_index] = true;
      inst->tables[table_index]->keepalive_.push_back(inst);
    }
  };

  uint32_t num_imported_funcs = m.numImportedFuncs();
  inst->defined_funcs.reserve(m.functions.size());
  for (size_t i = 0; i < m.functions.size(); ++i) {
    auto fn = std::make_unique<Function>();
    fn->type = inst->types[m.functions[i]];
    fn->instance = inst.get();
    fn->code = &(*module.code)[i];
    fn->func_index = num_imported_funcs + uint32_t(i);
    inst->funcs.push_back(fn.get());
    inst->defined_funcs.push_back(std::move(fn));
  }

  for (const TableType &type : m.tables) {
    HALTER_ASSIGN_OR_RETURN(auto table, Table::create(type, nullptr, config.max_table_elements));
    inst->tables.push_back(std::move(table));
  }
  for (const MemoryType &type : m.memories) {
    HALTER_ASSIGN_OR_RETURN(auto mem, Memory::create(type, config.max_memory_bytes));
    inst->memories.push_back(std::move(mem));
  }
  if (!inst->memories.empty()) inst->memory0 = inst->memories[0].get();

  for (const ir::Global &g : m.globals) {
    HALTER_ASSIGN_OR_RETURN(Value v, evalConst(g.init, *inst));
    auto global = std::make_shared<Global>(g.type);
    global->set(v);
    inst->globals.push_back(std::move(global));
  }

  inst->elem_segments.resize(m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    std::vector<RefPtr> &refs = inst->elem_segments[i];
    refs.reserve(m.elems[i].items.size());
    for (const ir::ConstExpr &item : m.elems[i].items) {
      HALTER_ASSIGN_OR_RETURN(Value v, evalConst(item, *inst));
      refs.push_back(v.asRef());
    }
  }
  inst->data_dropped.assign(m.datas.size(), false);

  // WebAssembly 2.0: element segments first, then data segments, each in
  // order; a trap stops here with earlier writes (to shared objects) kept.
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ir::ElemSegment &seg = m.elems[i];
    if (seg.mode == ir::SegmentMode::Active) {
      if (seg.table >= inst->tables.size()) {
        return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown table");
      }
      Table &table = *inst->tables[seg.table];
      HALTER_ASSIGN_OR_RETURN(Value off, evalConst(seg.offset_expr, *inst));
      std::vector<RefPtr> &refs = inst->elem_segments[i];
      uint64_t dst = off.asI32();
      if (dst + refs.size() > table.size()) {
        return makeError(ErrorCode::InstantiationTrap, seg.offset, "out of bounds table access");
      }
      // Kept even if a later segment traps: the written references stay.
      if (!refs.empty()) keepAliveIn(seg.table);
      std::copy(refs.begin(), refs.end(), table.elems_.begin() + ptrdiff_t(dst));
    }
    if (seg.mode != ir::SegmentMode::Passive) {
      inst->elem_segments[i].clear();
      inst->elem_segments[i].shrink_to_fit();
    }
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const ir::DataSegment &seg = m.datas[i];
    if (seg.mode != ir::SegmentMode::Active) continue;
    if (seg.memory >= inst->memories.size()) {
      return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown memory");
    }
    Memory &mem = *inst->memories[seg.memory];
    HALTER_ASSIGN_OR_RETURN(Value off, evalConst(seg.offset_expr, *inst));
    uint64_t dst = off.asI32();
    if (dst + seg.data_size > mem.sizeBytes()) {
      return makeError(ErrorCode::InstantiationTrap, seg.offset, "out of bounds memory access");
    }
    if (seg.data_size != 0) {
      std::memcpy(mem.data() + dst, m.bytes.data() + seg.data_begin, seg.data_size);
    }
    inst->data_dropped[i] = true;
  }

  // Only the instance's own code can write to imported objects from now on.
  if (!m.functions.empty()) {
    for (size_t t = 0; t < num_imported_tables; ++t) keepAliveIn(t);
    for (size_t g = 0; g < m.imported_globals.size(); ++g) {
      Global &global = *inst->globals[g];
      if (isRefType(global.type().type) && global.type().is_mutable) {
        global.keepalive_.push_back(inst);
      }
    }
  }
  return inst;
}

} // namespace halter::rt
