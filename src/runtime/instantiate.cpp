#include "runtime/instantiate.h"
#include "runtime/snapshot.h"

#include "runtime/api_access.h"

#include "compile/compiled_function.h"
#include "runtime/lifetime_group.h"
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
                 const SizeLimits &want) {
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
    auto *fn = static_cast<const Function *>(detail::ApiAccess::object(ext));
    const FuncType *want = inst.types[imp.func_type];
    if (fn->type != want) {
      return incompatible(imp, "expected function " + want->describe() + ", got " +
                                   (fn->type ? fn->type->describe() : std::string("?")));
    }
    return okResult();
  }
  case ExternKind::Table: {
    auto *table = static_cast<const Table *>(detail::ApiAccess::object(ext));
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
    auto *mem = static_cast<const Memory *>(detail::ApiAccess::object(ext));
    const MemoryType &have = mem->type();
    if (!limitsMatch(mem->pages(), have.limits.max, imp.memory.limits)) {
      return incompatible(imp, "expected memory limits " +
                                   limitsText(imp.memory.limits.min, imp.memory.limits.max) +
                                   ", got " + limitsText(mem->pages(), have.limits.max));
    }
    return okResult();
  }
  case ExternKind::Global: {
    auto *global = static_cast<const Global *>(detail::ApiAccess::object(ext));
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

// Imported objects are created by make_shared (or shared_ptr(new)), so the
// importer can share them directly whatever the Extern's owner is.
template <class T> Result<std::shared_ptr<T>> sharedOf(T *object) {
  std::shared_ptr<T> shared = object->weak_from_this().lock();
  if (!shared) return makeError(ErrorCode::Internal, kNoOffset, "imported object is not shared");
  return shared;
}

Result<std::shared_ptr<LifetimeGroup>> groupOfFunction(const Function &fn) {
  std::shared_ptr<LifetimeGroup> group = groupOf(*fn.instance);
  if (!group) return makeError(ErrorCode::Internal, kNoOffset, "function without lifetime group");
  return group;
}

// Tables and mutable reference globals are owned by a lifetime group, which
// is the owner of their Extern (see halter.h).
Result<std::shared_ptr<LifetimeGroup>> groupOfExtern(const Extern &ext) {
  if (!detail::ApiAccess::owner(ext))
    return makeError(ErrorCode::Internal, kNoOffset, "import without owner");
  return std::static_pointer_cast<LifetimeGroup>(detail::ApiAccess::owner(ext));
}

} // namespace

namespace {

// Step 1: the module's types interned, every import checked against its
// declaration (IncompatibleImport).
Result<void> checkImports(Instance &inst, std::span<const Extern> imports) {
  const ir::Module &m = inst.module->ir;
  if (imports.size() != m.imports.size()) {
    return makeError(ErrorCode::Internal, kNoOffset,
                     "expected " + std::to_string(m.imports.size()) + " imports, got " +
                         std::to_string(imports.size()));
  }
  if (inst.module->code.size() != m.functions.size()) {
    return makeError(ErrorCode::Internal, kNoOffset, "module code does not match its functions");
  }
  inst.types.reserve(m.types.size());
  for (const FuncType &t : m.types) inst.types.push_back(internFuncType(t));
  for (size_t i = 0; i < imports.size(); ++i)
    HALTER_TRY(checkImport(m.imports[i], imports[i], inst));
  return okResult();
}

// Step 2: imports bound into the index spaces. Memories, numeric globals
// and host functions never refer to instances: the importer just shares
// them. Through an imported table, mutable reference global or guest
// function, references can flow both ways, so the importer must join the
// exporter's group (lifetime_group.h): those groups are added to `joins`.
Result<void> bindImports(Instance &inst, std::span<const Extern> imports,
                         std::vector<std::shared_ptr<LifetimeGroup>> &joins) {
  for (const Extern &ext : imports) {
    switch (ext.kind()) {
    case ExternKind::Func: {
      auto *fn = static_cast<Function *>(detail::ApiAccess::object(ext));
      inst.funcs.push_back(fn);
      if (fn->isHost()) {
        HALTER_ASSIGN_OR_RETURN(auto shared, sharedOf(fn));
        inst.host_funcs.push_back(std::move(shared));
      } else {
        HALTER_ASSIGN_OR_RETURN(auto g, groupOfFunction(*fn));
        joins.push_back(std::move(g));
      }
      break;
    }
    case ExternKind::Table: {
      HALTER_ASSIGN_OR_RETURN(auto table,
                              sharedOf(static_cast<Table *>(detail::ApiAccess::object(ext))));
      inst.tables.push_back(std::move(table));
      HALTER_ASSIGN_OR_RETURN(auto g, groupOfExtern(ext));
      joins.push_back(std::move(g));
      break;
    }
    case ExternKind::Memory: {
      HALTER_ASSIGN_OR_RETURN(auto mem,
                              sharedOf(static_cast<Memory *>(detail::ApiAccess::object(ext))));
      inst.memories.push_back(std::move(mem));
      break;
    }
    case ExternKind::Global: {
      HALTER_ASSIGN_OR_RETURN(auto global,
                              sharedOf(static_cast<Global *>(detail::ApiAccess::object(ext))));
      const GlobalType &type = global->type();
      if (isRefType(type.type) && type.is_mutable) {
        HALTER_ASSIGN_OR_RETURN(auto g, groupOfExtern(ext));
        joins.push_back(std::move(g));
      } else if (type.type == ValType::FuncRef && global->get().asRef() != nullptr) {
        // Immutable, but it refers to a function the importer may copy.
        auto *fn = static_cast<Function *>(global->get().asRef());
        if (!fn->isHost()) {
          HALTER_ASSIGN_OR_RETURN(auto g, groupOfFunction(*fn));
          joins.push_back(std::move(g));
        }
      }
      inst.globals.push_back(std::move(global));
      break;
    }
    }
  }
  return okResult();
}

// Step 3: the module's own functions, tables and memories (empty ones,
// under the caps of `config`).
Result<void> createDefinitions(Instance &inst, const Limits &config) {
  const ir::Module &m = inst.module->ir;
  uint32_t num_imported_funcs = m.numImportedFuncs();
  inst.defined_funcs.reserve(m.functions.size());
  for (size_t i = 0; i < m.functions.size(); ++i) {
    auto fn = std::make_unique<Function>();
    fn->type = inst.types[m.functions[i]];
    fn->instance = &inst;
    fn->code = &inst.module->code[i];
    fn->func_index = num_imported_funcs + uint32_t(i);
    inst.funcs.push_back(fn.get());
    inst.defined_funcs.push_back(std::move(fn));
  }
  for (const TableType &type : m.tables) {
    HALTER_ASSIGN_OR_RETURN(auto table, Table::create(type, nullptr, config.max_table_elements));
    inst.tables.push_back(std::move(table));
  }
  for (const MemoryType &type : m.memories) {
    // Only memory 0 of a module that defines it has an image.
    std::shared_ptr<const compile::MemoryImage> image =
        inst.memories.empty() ? inst.module->memoryImage() : nullptr;
    HALTER_ASSIGN_OR_RETURN(auto mem,
                            Memory::create(type, config.max_memory_bytes, std::move(image)));
    inst.memories.push_back(std::move(mem));
  }
  inst.memory0 = inst.memories.empty() ? nullptr : inst.memories[0].get();
  return okResult();
}

} // namespace

Result<void> initGlobals(Instance &inst) {
  const ir::Module &m = inst.module->ir;
  size_t first_defined = m.imported_globals.size();
  bool created = inst.globals.size() == first_defined;
  for (size_t i = 0; i < m.globals.size(); ++i) {
    HALTER_ASSIGN_OR_RETURN(Value v, evalConst(m.globals[i].init, inst));
    if (created) {
      auto global = std::make_shared<Global>(m.globals[i].type);
      global->set(v);
      inst.globals.push_back(std::move(global));
    } else {
      inst.globals[first_defined + i]->set(v);
    }
  }
  return okResult();
}

Result<void> resolveSegments(Instance &inst) {
  const ir::Module &m = inst.module->ir;
  inst.elem_segments.assign(m.elems.size(), {});
  for (size_t i = 0; i < m.elems.size(); ++i) {
    std::vector<RefPtr> &refs = inst.elem_segments[i];
    refs.reserve(m.elems[i].items.size());
    for (const ir::ConstExpr &item : m.elems[i].items) {
      HALTER_ASSIGN_OR_RETURN(Value v, evalConst(item, inst));
      refs.push_back(v.asRef());
    }
  }
  inst.data_dropped.assign(m.datas.size(), false);
  return okResult();
}

Result<void> applyActiveSegments(Instance &inst) {
  const ir::Module &m = inst.module->ir;
  // WebAssembly 2.0: element segments first, then data segments, each in
  // order; a trap stops here with earlier writes (to shared objects) kept.
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ir::ElemSegment &seg = m.elems[i];
    if (seg.mode == ir::SegmentMode::Active) {
      if (seg.table >= inst.tables.size()) {
        return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown table");
      }
      Table &table = *inst.tables[seg.table];
      HALTER_ASSIGN_OR_RETURN(Value off, evalConst(seg.offset_expr, inst));
      std::vector<RefPtr> &refs = inst.elem_segments[i];
      uint64_t dst = off.asI32();
      if (dst + refs.size() > table.size()) {
        return makeError(ErrorCode::InstantiationTrap, seg.offset, "out of bounds table access");
      }
      std::copy(refs.begin(), refs.end(), table.elems_.begin() + ptrdiff_t(dst));
    }
    if (seg.mode != ir::SegmentMode::Passive) {
      inst.elem_segments[i].clear();
      inst.elem_segments[i].shrink_to_fit();
    }
  }
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const ir::DataSegment &seg = m.datas[i];
    if (seg.mode != ir::SegmentMode::Active) continue;
    if (seg.memory >= inst.memories.size()) {
      return makeError(ErrorCode::UnknownIndex, seg.offset, "unknown memory");
    }
    Memory &mem = *inst.memories[seg.memory];
    // The module's image holds every active segment of its own memory 0, at
    // its place (MemoryImage::layOut refuses modules where that is not so).
    // An imported memory may have its exporter's image: not ours.
    if (m.imported_memories.empty() && mem.fromImage()) {
      inst.data_dropped[i] = true;
      continue;
    }
    HALTER_ASSIGN_OR_RETURN(Value off, evalConst(seg.offset_expr, inst));
    uint64_t dst = off.asI32();
    if (dst + seg.data_size > mem.sizeBytes()) {
      return makeError(ErrorCode::InstantiationTrap, seg.offset, "out of bounds memory access");
    }
    if (seg.data_size != 0) {
      std::memcpy(mem.data() + dst, m.bytes.data() + seg.data_begin, seg.data_size);
    }
    inst.data_dropped[i] = true;
  }
  return okResult();
}

Result<void> resetInstance(Instance &inst) {
  if (inst.reset_point) return resetToPoint(inst);
  const ir::Module &m = inst.module->ir;
  size_t first_memory = m.imported_memories.size();
  for (size_t i = 0; i < m.memories.size(); ++i) {
    HALTER_TRY(inst.memories[first_memory + i]->resetTo(m.memories[i].limits.min));
  }
  size_t first_table = m.imported_tables.size();
  for (size_t i = 0; i < m.tables.size(); ++i) {
    inst.tables[first_table + i]->resetTo(uint32_t(m.tables[i].limits.min), nullptr);
  }
  inst.last_host_error.clear();
  HALTER_TRY(initGlobals(inst));
  HALTER_TRY(resolveSegments(inst));
  return applyActiveSegments(inst);
}

Result<std::shared_ptr<Instance>> instantiate(std::shared_ptr<const compile::CompiledModule> module,
                                              std::span<const Extern> imports,
                                              const Limits &config) {
  if (module == nullptr) return makeError(ErrorCode::Internal, kNoOffset, "no module");
  auto inst = std::make_shared<Instance>();
  inst->module = std::move(module);
  inst->limits = config;
  HALTER_TRY(checkImports(*inst, imports));

  // The group owns the instance; the caller's handle keeps the group alive.
  std::shared_ptr<LifetimeGroup> group = LifetimeGroup::create();
  group->addInstance(inst);
  std::vector<std::shared_ptr<LifetimeGroup>> joins;
  HALTER_TRY(bindImports(*inst, imports, joins));
  HALTER_TRY(createDefinitions(*inst, config));
  HALTER_TRY(initGlobals(*inst));

  // Everything fallible but the segments is done: join the groups before
  // references can flow (segments, the start function, later calls). Writes
  // made before a trap stay, so a failed instance stays in the group.
  for (const std::shared_ptr<LifetimeGroup> &g : joins) LifetimeGroup::merge(group, g);

  HALTER_TRY(resolveSegments(*inst));
  HALTER_TRY(applyActiveSegments(*inst));

  // The handle shares ownership of the group, not of the instance alone.
  return std::shared_ptr<Instance>(group, inst.get());
}

} // namespace halter::rt
