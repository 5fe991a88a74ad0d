// Tables, memories, globals and functions through their Extern alone (what
// the C API is built on): types read now, grow within maximum and cap,
// elements checked, functions kept alive by the table or global that holds
// them, and calls of a function without its Instance handle. Run under
// ASan/LSan to catch a use after free or a leak.
#include "support/wat.h"

#include "halter/halter.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

using test::watToWasm;

std::shared_ptr<Instance> instantiate(const Linker &linker, const std::string &wat,
                                      const Limits &limits = {}) {
  auto m = Module::compile(watToWasm(wat));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  if (!m.ok()) return nullptr;
  auto inst = linker.instantiate(*m, limits);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  return inst.ok() ? *inst : nullptr;
}

Extern exported(const Instance &inst, std::string_view name) {
  auto e = inst.getExport(name);
  EXPECT_TRUE(e.ok()) << e.error().describe();
  return e.ok() ? *e : Extern();
}

int32_t callI32(Instance &inst, std::string_view name, std::vector<Value> args = {}) {
  auto out = inst.call(name, args);
  EXPECT_TRUE(out.ok()) << out.error().describe();
  if (!out.ok() || !out->returned() || out->results.size() != 1) return -1;
  return out->results[0].asS32();
}

TEST(ExternObjects, MemoryGrowsToItsCapAndReportsItsType) {
  Linker linker;
  Limits limits;
  limits.max_memory_bytes = 3 * kPageSize;
  auto inst = instantiate(linker, R"((module (memory (export "mem") 1 5)
    (func (export "size") (result i32) memory.size)))",
                          limits);
  ASSERT_TRUE(inst);
  Extern mem = exported(*inst, "mem");
  EXPECT_EQ(mem.memoryPages(), 1u);
  auto grown = mem.memoryGrow(2);
  ASSERT_TRUE(grown.ok()) << grown.error().describe();
  EXPECT_EQ(*grown, 1u);
  EXPECT_EQ(callI32(*inst, "size"), 3);
  EXPECT_EQ(mem.memoryBytes().size(), 3 * kPageSize);
  auto type = mem.memoryType();
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->limits.min, 3u);
  EXPECT_EQ(type->limits.max, std::optional<uint64_t>(5));
  // The cap refuses before the type's maximum does; the memory is unchanged.
  auto refused = mem.memoryGrow(1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ResourceLimit);
  EXPECT_EQ(mem.memoryPages(), 3u);
  EXPECT_TRUE(mem.memoryGrow(0).ok());
  // Other kinds answer errors, never crash.
  EXPECT_FALSE(Extern().memoryGrow(1).ok());
  EXPECT_EQ(Extern().memoryPages(), 0u);
  EXPECT_FALSE(mem.tableType().ok());
  EXPECT_FALSE(mem.funcType().ok());
  EXPECT_FALSE(mem.globalType().ok());
}

TEST(ExternObjects, HostMemoryGrowsToItsMaximum) {
  auto mem = Extern::hostMemory(MemoryType{{1, 2}});
  ASSERT_TRUE(mem.ok());
  EXPECT_TRUE(mem->memoryGrow(1).ok());
  EXPECT_FALSE(mem->memoryGrow(1).ok());
  EXPECT_EQ(mem->memoryPages(), 2u);
}

constexpr const char *kCaller = R"((module
  (table (export "tab") 2 10 funcref)
  (global (export "g") (mut funcref) (ref.null func))
  (type $t (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
  (func (export "callg") (result i32)
    (table.set 0 (i32.const 0) (global.get 0))
    (call_indirect (type $t) (i32.const 0)))))";

constexpr const char *kSource = R"((module
  (func (export "f") (result i32) i32.const 77)))";

TEST(ExternObjects, TableHoldsAFunctionOfAnInstanceWhoseHandlesAreGone) {
  Linker linker;
  auto caller = instantiate(linker, kCaller);
  ASSERT_TRUE(caller);
  Extern tab = exported(*caller, "tab");
  {
    auto source = instantiate(linker, kSource);
    ASSERT_TRUE(source);
    Extern f = exported(*source, "f");
    ASSERT_TRUE(tab.tableSet(1, f).ok());
    EXPECT_TRUE(tab.tableGetFunc(1)->sameObject(f));
  } // the source instance's last handles go; the table keeps it
  EXPECT_EQ(callI32(*caller, "call", {Value::i32(1)}), 77);
  auto back = tab.tableGetFunc(1);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->valid());
  auto out = back->call({});
  ASSERT_TRUE(out.ok()) << out.error().describe();
  ASSERT_TRUE(out->returned());
  EXPECT_EQ(out->results.at(0).asS32(), 77);
  // A null element reads as an invalid Extern and as a null Value.
  auto null_func = tab.tableGetFunc(0);
  ASSERT_TRUE(null_func.ok());
  EXPECT_FALSE(null_func->valid());
  EXPECT_TRUE(tab.tableGet(0)->isNullRef());
}

TEST(ExternObjects, TableHoldsAHostFunctionWhoseHandleIsGone) {
  Linker linker;
  auto caller = instantiate(linker, kCaller);
  ASSERT_TRUE(caller);
  Extern tab = exported(*caller, "tab");
  {
    Extern host = Extern::hostFunc(FuncType{{}, {ValType::I32}},
                                   [](CallContext &, std::span<const Value>, std::span<Value> r) {
                                     r[0] = Value::i32(5);
                                     return HostResult::ok();
                                   });
    auto grown = tab.tableGrow(3, host);
    ASSERT_TRUE(grown.ok()) << grown.error().describe();
    EXPECT_EQ(*grown, 2u);
  }
  EXPECT_EQ(tab.tableSize(), 5u);
  for (int i = 2; i < 5; ++i) EXPECT_EQ(callI32(*caller, "call", {Value::i32(uint32_t(i))}), 5);
  auto type = tab.tableType();
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->limits.min, 5u);
  EXPECT_EQ(type->elem, ValType::FuncRef);
}

TEST(ExternObjects, GlobalHoldsAFunctionWhoseHandlesAreGone) {
  Linker linker;
  auto caller = instantiate(linker, kCaller);
  ASSERT_TRUE(caller);
  Extern g = exported(*caller, "g");
  {
    auto source = instantiate(linker, kSource);
    ASSERT_TRUE(source);
    ASSERT_TRUE(g.setGlobalValue(exported(*source, "f")).ok());
  }
  EXPECT_EQ(callI32(*caller, "callg"), 77);
  auto held = g.globalFunc();
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->valid());
  EXPECT_EQ(held->funcType()->results, std::vector<ValType>{ValType::I32});
}

TEST(ExternObjects, TableElementsAreCheckedBeforeAnyWrite) {
  Linker linker;
  auto caller = instantiate(linker, kCaller);
  ASSERT_TRUE(caller);
  Extern tab = exported(*caller, "tab");
  Extern f = exported(*caller, "call");
  int token = 0;
  // A funcref Value could be any pointer: only an Extern goes in.
  auto forged = tab.tableSet(0, Value::ref(ValType::FuncRef, &token));
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(tab.tableSet(0, Value::ref(ValType::ExternRef, &token)).ok());
  EXPECT_FALSE(tab.tableSet(0, Value::i32(1)).ok());
  auto past = tab.tableSet(2, f);
  ASSERT_FALSE(past.ok());
  EXPECT_NE(past.error().message.find("past the table's size 2"), std::string::npos);
  EXPECT_FALSE(tab.tableGet(2).ok());
  EXPECT_FALSE(tab.tableGetFunc(UINT32_MAX).ok());
  EXPECT_FALSE(tab.tableSet(0, Extern()).ok());
  EXPECT_FALSE(tab.tableSet(0, tab).ok()); // a table is not a function
  EXPECT_TRUE(tab.tableSet(0, Value::nullRef(ValType::FuncRef)).ok());
  // The maximum (10) refuses a grow past it, unchanged.
  auto refused = tab.tableGrow(9, f);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ResourceLimit);
  EXPECT_EQ(tab.tableSize(), 2u);
  // Not tables.
  EXPECT_FALSE(f.tableSet(0, f).ok());
  EXPECT_FALSE(Extern().tableGet(0).ok());
  EXPECT_EQ(f.tableSize(), 0u);
}

TEST(ExternObjects, ExternrefTableKeepsHostIdentities) {
  auto tab =
      Extern::hostTable(TableType{ValType::ExternRef, {1, {}}}, Value::nullRef(ValType::ExternRef));
  ASSERT_TRUE(tab.ok());
  int a = 0;
  ASSERT_TRUE(tab->tableGrow(2, Value::ref(ValType::ExternRef, &a)).ok());
  EXPECT_TRUE(tab->tableGet(0)->isNullRef());
  EXPECT_EQ(tab->tableGet(2)->asRef(), &a);
  Extern f =
      Extern::hostFunc(FuncType{}, [](CallContext &, auto, auto) { return HostResult::ok(); });
  EXPECT_FALSE(tab->tableSet(0, f).ok()); // a function in an externref table
  EXPECT_FALSE(tab->tableGetFunc(0).ok());
}

TEST(ExternObjects, GlobalFuncErrors) {
  auto imm =
      Extern::hostGlobal(GlobalType{ValType::FuncRef, false}, Value::nullRef(ValType::FuncRef));
  ASSERT_TRUE(imm.ok());
  Extern f =
      Extern::hostFunc(FuncType{}, [](CallContext &, auto, auto) { return HostResult::ok(); });
  EXPECT_FALSE(imm->setGlobalValue(f).ok()); // immutable
  auto i32 = Extern::hostGlobal(GlobalType{ValType::I32, true}, Value::i32(1));
  ASSERT_TRUE(i32.ok());
  EXPECT_FALSE(i32->setGlobalValue(f).ok());
  EXPECT_FALSE(i32->globalFunc().ok());
  EXPECT_EQ(i32->globalType()->type, ValType::I32);
  EXPECT_TRUE(i32->globalType()->is_mutable);
}

TEST(ExternObjects, FunctionsCallAloneUnderTheirInstanceLimits) {
  Linker linker;
  Limits limits;
  limits.fuel = 1000;
  auto inst = instantiate(linker, R"((module
    (func (export "spin") (loop (br 0)))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))))",
                          limits);
  ASSERT_TRUE(inst);
  Extern spin = exported(*inst, "spin");
  Extern add = exported(*inst, "add");
  inst = nullptr; // the Externs keep the instance alive
  auto stopped = spin.call({});
  ASSERT_TRUE(stopped.ok()) << stopped.error().describe();
  EXPECT_EQ(stopped->kind, OutcomeKind::OutOfFuel);
  auto sum = add.call(std::vector<Value>{Value::i32(2), Value::i32(40)});
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->results.at(0).asS32(), 42);
  EXPECT_FALSE(add.call(std::vector<Value>{Value::i32(2)}).ok());
  EXPECT_FALSE(add.call(std::vector<Value>{Value::i64(2), Value::i32(1)}).ok());
  EXPECT_FALSE(Extern().call({}).ok());
  // Extern::funcRef round trip.
  Extern back = Extern::fromFuncRef(add.funcRef());
  EXPECT_TRUE(back.sameObject(add));
  EXPECT_FALSE(Extern::fromFuncRef(Value::nullRef(ValType::FuncRef)).valid());
  EXPECT_FALSE(Extern::fromFuncRef(Value::i32(3)).valid());
}

TEST(ExternObjects, HostFunctionStartsAloneAndSuspends) {
  Extern ask = Extern::hostFunc(
      FuncType{{ValType::I32}, {ValType::I32}},
      [](CallContext &, std::span<const Value>, std::span<Value>) { return HostResult::suspend(); },
      HostErrors::Trap, "host", "ask");
  auto direct = ask.call(std::vector<Value>{Value::i32(1)});
  ASSERT_TRUE(direct.ok()) << direct.error().describe();
  EXPECT_TRUE(direct->trapped()); // call() cannot wait
  auto ex = ask.start(std::vector<Value>{Value::i32(9)});
  ASSERT_TRUE(ex.ok()) << ex.error().describe();
  auto first = ex->run();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->suspended());
  EXPECT_EQ(first->pending.name, "ask");
  EXPECT_EQ(first->pending.args.at(0).asS32(), 9);
  std::vector<Value> answer{Value::i32(10)};
  ASSERT_TRUE(ex->resume(answer).ok());
  auto done = ex->run();
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->returned());
  EXPECT_EQ(done->results.at(0).asS32(), 10);
}

} // namespace
} // namespace halter
