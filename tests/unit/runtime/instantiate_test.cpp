#include "compile/compiled_function.h"
#include "runtime/api_access.h"
#include "runtime/instantiate.h"
#include "runtime/lifetime_group.h"
#include "runtime/type_registry.h"

#include <gtest/gtest.h>

namespace halter::rt {
namespace {

ir::ConstExpr constI32(uint32_t v) {
  ir::ConstExpr e;
  e.instrs.push_back({Op::I32Const, v, ValType::FuncRef, 0});
  return e;
}
ir::ConstExpr constOp(Op op, uint64_t v) {
  ir::ConstExpr e;
  e.instrs.push_back({op, v, ValType::FuncRef, 0});
  return e;
}

// A hand-built module (its functions have no code: none is called).
struct TestModule {
  ir::Module ir;

  void importMemory(SizeLimits l) {
    ir::Import imp;
    imp.module = "spectest";
    imp.name = "memory";
    imp.kind = ExternKind::Memory;
    imp.memory = MemoryType{l};
    imp.offset = 11;
    ir.imports.push_back(imp);
    ir.imported_memories.push_back(imp.memory);
  }
  void importTable(SizeLimits l) {
    ir::Import imp;
    imp.module = "spectest";
    imp.name = "table";
    imp.kind = ExternKind::Table;
    imp.table = TableType{ValType::FuncRef, l};
    imp.offset = 12;
    ir.imports.push_back(imp);
    ir.imported_tables.push_back(imp.table);
  }
  void importGlobal(GlobalType t) {
    ir::Import imp;
    imp.module = "spectest";
    imp.name = "global";
    imp.kind = ExternKind::Global;
    imp.global = t;
    imp.offset = 13;
    ir.imports.push_back(imp);
    ir.imported_globals.push_back(t);
  }
  void importFunc(FuncType t) {
    ir::Import imp;
    imp.module = "spectest";
    imp.name = "func";
    imp.kind = ExternKind::Func;
    imp.func_type = uint32_t(ir.types.size());
    ir.types.push_back(t);
    ir.imports.push_back(imp);
    ir.imported_funcs.push_back(imp.func_type);
  }
  void defineFunc(FuncType t) {
    ir.functions.push_back(uint32_t(ir.types.size()));
    ir.types.push_back(t);
  }
  // An active data segment whose contents are appended to `bytes`.
  void activeData(uint32_t offset, std::vector<uint8_t> contents) {
    ir::DataSegment seg;
    seg.mode = ir::SegmentMode::Active;
    seg.offset_expr = constI32(offset);
    seg.data_begin = ir.bytes.size();
    seg.data_size = contents.size();
    ir.bytes.insert(ir.bytes.end(), contents.begin(), contents.end());
    ir.datas.push_back(seg);
  }

  Result<std::shared_ptr<Instance>> instantiate(std::vector<Extern> imports,
                                                const Limits &config = {}) const {
    auto cm = std::make_shared<compile::CompiledModule>();
    cm->ir = ir;
    compile::describeModule(*cm);
    return rt::instantiate(cm, imports, config);
  }
};

Extern spectestMemory() {
  return *Extern::hostMemory(MemoryType{{1, 2}});
}
Extern spectestTable() {
  return *Extern::hostTable(TableType{ValType::FuncRef, {10, 20}},
                            Value::nullRef(ValType::FuncRef));
}

TEST(Instantiate, MemoryLimitsSubtyping) {
  struct Case {
    SizeLimits want;
    bool ok;
  } cases[] = {
      {{1, std::nullopt}, true},  {{0, std::nullopt}, true}, {{1, 2}, true},  {{0, 3}, true},
      {{2, std::nullopt}, false}, {{1, 1}, false},           {{2, 3}, false}, {{0, 1}, false},
  };
  for (const Case &c : cases) {
    TestModule m;
    m.importMemory(c.want);
    auto inst = m.instantiate({spectestMemory()});
    EXPECT_EQ(inst.ok(), c.ok) << "min " << c.want.min << " max " << c.want.max.value_or(-1);
    if (!inst.ok()) {
      EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
      EXPECT_EQ(inst.error().offset, 11u);
      EXPECT_NE(inst.error().message.find("spectest.memory"), std::string::npos);
    }
  }
}

TEST(Instantiate, MemoryLimitsUseCurrentSize) {
  Extern mem = spectestMemory();
  TestModule m;
  m.importMemory({2, std::nullopt});
  EXPECT_FALSE(m.instantiate({mem}).ok());
  ASSERT_EQ(static_cast<Memory *>(detail::ApiAccess::object(mem))->grow(1), 1);
  EXPECT_TRUE(m.instantiate({mem}).ok()) << "grown to 2 pages, it now matches min 2";
}

TEST(Instantiate, MemoryWithoutMaxDoesNotMatchImportWithMax) {
  Extern mem = *Extern::hostMemory(MemoryType{{1, std::nullopt}});
  TestModule m;
  m.importMemory({1, 65536});
  auto inst = m.instantiate({mem});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
}

TEST(Instantiate, TableLimitsSubtyping) {
  struct Case {
    SizeLimits want;
    bool ok;
  } cases[] = {
      {{10, std::nullopt}, true},  {{0, std::nullopt}, true}, {{10, 20}, true},  {{5, 25}, true},
      {{11, std::nullopt}, false}, {{10, 15}, false},         {{10, 19}, false},
  };
  for (const Case &c : cases) {
    TestModule m;
    m.importTable(c.want);
    auto inst = m.instantiate({spectestTable()});
    EXPECT_EQ(inst.ok(), c.ok) << "min " << c.want.min << " max " << c.want.max.value_or(-1);
    if (!inst.ok()) {
      EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
    }
  }
}

TEST(Instantiate, TableElementTypeMustMatch) {
  TestModule m;
  m.importTable({0, std::nullopt});
  Extern externs = *Extern::hostTable(TableType{ValType::ExternRef, {10, 20}},
                                      Value::nullRef(ValType::ExternRef));
  auto inst = m.instantiate({externs});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
}

TEST(Instantiate, GlobalTypeAndMutabilityMustMatch) {
  Extern immutable_i32 = *Extern::hostGlobal(GlobalType{ValType::I32, false}, Value::i32(666));
  Extern mutable_i32 = *Extern::hostGlobal(GlobalType{ValType::I32, true}, Value::i32(1));
  Extern immutable_i64 = *Extern::hostGlobal(GlobalType{ValType::I64, false}, Value::i64(1));
  TestModule m;
  m.importGlobal(GlobalType{ValType::I32, false});
  EXPECT_TRUE(m.instantiate({immutable_i32}).ok());
  EXPECT_FALSE(m.instantiate({mutable_i32}).ok());
  EXPECT_FALSE(m.instantiate({immutable_i64}).ok());
}

TEST(Instantiate, FunctionTypeMustMatchExactly) {
  FuncType i32_to_void{{ValType::I32}, {}};
  auto noop = [](CallContext &, std::span<const Value>, std::span<Value>) {
    return HostResult::ok();
  };
  TestModule m;
  m.importFunc(i32_to_void);
  EXPECT_TRUE(m.instantiate({Extern::hostFunc(i32_to_void, noop)}).ok());
  auto wrong = m.instantiate({Extern::hostFunc(FuncType{{ValType::I64}, {}}, noop)});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::IncompatibleImport);
  auto kind = m.instantiate({spectestMemory()});
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.error().message.find("expected func, got memory"), std::string::npos)
      << kind.error().message;
}

TEST(Instantiate, BuildsIndexSpacesAndGlobals) {
  TestModule m;
  FuncType f{{}, {ValType::I32}};
  m.importGlobal(GlobalType{ValType::I32, false});
  m.defineFunc(f);
  m.defineFunc(f);
  m.ir.memories.push_back(MemoryType{{1, std::nullopt}});
  m.ir.tables.push_back(TableType{ValType::FuncRef, {4, std::nullopt}});
  m.ir.globals.push_back({GlobalType{ValType::I32, true}, constOp(Op::GlobalGet, 0)});
  m.ir.globals.push_back({GlobalType{ValType::FuncRef, false}, constOp(Op::RefFunc, 1)});
  m.ir.globals.push_back(
      {GlobalType{ValType::F64, false}, constOp(Op::F64Const, 0x4084d4cccccccccdull)});
  Extern g = *Extern::hostGlobal(GlobalType{ValType::I32, false}, Value::i32(666));
  auto inst = m.instantiate({g});
  ASSERT_TRUE(inst.ok()) << inst.error().describe();
  Instance &in = **inst;
  ASSERT_EQ(in.funcs.size(), 2u);
  EXPECT_EQ(in.funcs[1]->instance, &in);
  EXPECT_EQ(in.funcs[1]->func_index, 1u);
  EXPECT_EQ(in.funcs[1]->code, &in.module->code[1]);
  EXPECT_EQ(in.funcs[0]->type, internFuncType(f));
  ASSERT_EQ(in.globals.size(), 4u);
  EXPECT_EQ(in.globals[1]->get(), Value::i32(666));
  EXPECT_EQ(in.globals[2]->get().asRef(), in.funcs[1]);
  EXPECT_EQ(in.globals[3]->get().f64Bits(), 0x4084d4cccccccccdull);
  EXPECT_EQ(in.memory0, in.memories[0].get());
  ASSERT_EQ(in.tables.size(), 1u);
  EXPECT_EQ(in.tables[0]->size(), 4u);
  for (RefPtr p : in.tables[0]->elems_) EXPECT_EQ(p, nullptr);
}

TEST(Instantiate, ActiveSegmentsAreAppliedAndDropped) {
  TestModule m;
  m.defineFunc(FuncType{});
  m.ir.memories.push_back(MemoryType{{1, std::nullopt}});
  m.ir.tables.push_back(TableType{ValType::FuncRef, {4, std::nullopt}});
  m.activeData(100, {1, 2, 3});
  ir::DataSegment passive;
  passive.data_begin = m.ir.bytes.size();
  passive.data_size = 2;
  m.ir.bytes.push_back(9);
  m.ir.bytes.push_back(8);
  m.ir.datas.push_back(passive);
  ir::ElemSegment active;
  active.mode = ir::SegmentMode::Active;
  active.offset_expr = constI32(1);
  active.items = {constOp(Op::RefFunc, 0), constOp(Op::RefNull, 0), constOp(Op::RefFunc, 0)};
  m.ir.elems.push_back(active);
  ir::ElemSegment passive_elem;
  passive_elem.items = {constOp(Op::RefFunc, 0)};
  m.ir.elems.push_back(passive_elem);

  auto inst = m.instantiate({});
  ASSERT_TRUE(inst.ok()) << inst.error().describe();
  Instance &in = **inst;
  EXPECT_EQ(in.memory0->data()[100], 1);
  EXPECT_EQ(in.memory0->data()[102], 3);
  EXPECT_EQ(in.memory0->data()[103], 0);
  EXPECT_TRUE(in.dataSegment(0).empty()) << "active segments are dropped";
  ASSERT_EQ(in.dataSegment(1).size(), 2u);
  EXPECT_EQ(in.dataSegment(1)[0], 9);
  EXPECT_TRUE(in.dataSegment(7).empty());
  auto &elems = in.tables[0]->elems_;
  EXPECT_EQ(elems[0], nullptr);
  EXPECT_EQ(elems[1], in.funcs[0]);
  EXPECT_EQ(elems[2], nullptr);
  EXPECT_EQ(elems[3], in.funcs[0]);
  EXPECT_TRUE(in.elem_segments[0].empty());
  ASSERT_EQ(in.elem_segments[1].size(), 1u);
  EXPECT_EQ(in.elem_segments[1][0], in.funcs[0]);
}

TEST(Instantiate, TrapKeepsEarlierWritesToSharedObjects) {
  Extern mem = spectestMemory();
  Extern table = spectestTable();
  TestModule m;
  m.importMemory({1, std::nullopt});
  m.importTable({10, std::nullopt});
  m.defineFunc(FuncType{});
  ir::ElemSegment elem;
  elem.mode = ir::SegmentMode::Active;
  elem.offset_expr = constI32(9);
  elem.items = {constOp(Op::RefFunc, 0)};
  m.ir.elems.push_back(elem);
  m.activeData(10, {0xAA});
  m.activeData(kPageSize - 1, {0xBB, 0xCC}); // one byte past the end
  m.activeData(20, {0xDD});                  // never reached

  auto inst = m.instantiate({mem, table});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::InstantiationTrap);
  EXPECT_EQ(inst.error().message, "out of bounds memory access");
  std::span<uint8_t> bytes = mem.memoryBytes();
  EXPECT_EQ(bytes[10], 0xAA);
  EXPECT_EQ(bytes[kPageSize - 1], 0) << "a segment is written whole or not at all";
  EXPECT_EQ(bytes[20], 0);
  // The element write stays, and the function it refers to stays alive.
  auto *t = static_cast<Table *>(detail::ApiAccess::object(table));
  auto *fn = static_cast<Function *>(t->elems_[9]);
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn->func_index, 0u);
  EXPECT_EQ(fn->instance->funcs[0], fn);
  // The failed instance stays alive in the table's lifetime group.
  auto group = std::static_pointer_cast<LifetimeGroup>(detail::ApiAccess::owner(table));
  EXPECT_EQ(group->memberCount(), 2u) << "the table and the failed instance";
  EXPECT_EQ(groupOf(*fn->instance), group->root());
}

TEST(Instantiate, ElementTrapStopsBeforeData) {
  Extern mem = spectestMemory();
  TestModule m;
  m.importMemory({1, std::nullopt});
  m.defineFunc(FuncType{});
  m.ir.tables.push_back(TableType{ValType::FuncRef, {2, std::nullopt}});
  ir::ElemSegment elem;
  elem.mode = ir::SegmentMode::Active;
  elem.offset_expr = constI32(2);
  elem.items = {constOp(Op::RefFunc, 0)};
  m.ir.elems.push_back(elem);
  m.activeData(0, {0x11});
  auto inst = m.instantiate({mem});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().message, "out of bounds table access");
  EXPECT_EQ(mem.memoryBytes()[0], 0) << "data segments come after element segments";
}

TEST(Instantiate, EmptySegmentPastTheEndTraps) {
  TestModule m;
  m.ir.memories.push_back(MemoryType{{1, std::nullopt}});
  m.activeData(uint32_t(kPageSize), {});
  EXPECT_TRUE(m.instantiate({}).ok()) << "offset == size with no bytes is in bounds";
  TestModule m2;
  m2.ir.memories.push_back(MemoryType{{1, std::nullopt}});
  m2.activeData(uint32_t(kPageSize + 1), {});
  auto inst = m2.instantiate({});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::InstantiationTrap);
}

TEST(Instantiate, MemoryCapFromConfig) {
  TestModule m;
  m.ir.memories.push_back(MemoryType{{4, std::nullopt}});
  Limits config;
  config.max_memory_bytes = 2 * kPageSize;
  auto inst = m.instantiate({}, config);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::ResourceLimit);
}

} // namespace
} // namespace halter::rt
