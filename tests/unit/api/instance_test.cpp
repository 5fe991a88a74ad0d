#include "support/wat.h"

#include "halter/halter.h"
#include "runtime/table.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

using test::watToWasm;

std::shared_ptr<const Module> compileWat(const std::string &wat) {
  auto m = Module::compile(watToWasm(wat));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? *m : nullptr;
}

std::shared_ptr<Instance> instantiate(const Linker &linker, const std::string &wat) {
  auto m = compileWat(wat);
  if (!m) return nullptr;
  auto inst = linker.instantiate(m);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  return inst.ok() ? *inst : nullptr;
}

TEST(Instance, CallsAnExport) {
  auto inst = instantiate(Linker(), R"((module
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)))");
  ASSERT_TRUE(inst);
  Value args[] = {Value::i32(2), Value::i32(3)};
  auto out = inst->call("add", args);
  ASSERT_TRUE(out.ok()) << out.error().describe();
  ASSERT_TRUE(out->returned());
  ASSERT_EQ(out->results.size(), 1u);
  EXPECT_EQ(out->results[0], Value::i32(5));
}

TEST(Instance, CallChecksExportAndArguments) {
  auto inst = instantiate(Linker(), R"((module
    (global (export "g") i32 (i32.const 7))
    (func (export "f") (param i32 f64))))");
  ASSERT_TRUE(inst);
  Value wrong_type[] = {Value::f64(1.0), Value::f64(2.0)};
  auto out = inst->call("f", wrong_type);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(out.error().message, "argument 1: expected i32, got f64");

  Value too_few[] = {Value::i32(1)};
  out = inst->call("f", too_few);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::InvalidArgument);

  out = inst->call("missing", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::NotFound);
  out = inst->call("g", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::NotFound) << "a global is not callable";

  auto g = inst->getGlobal("g");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, Value::i32(7));
  EXPECT_FALSE(inst->getGlobal("f").ok());
}

TEST(Instance, TrapIsAnOutcomeNotAnError) {
  auto inst = instantiate(Linker(), R"((module
    (func (export "boom") unreachable)
    (func (export "div") (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)))");
  ASSERT_TRUE(inst);
  auto out = inst->call("boom", {});
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap.kind, TrapKind::Unreachable);
  Value zero[] = {Value::i32(0)};
  out = inst->call("div", zero);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap.kind, TrapKind::IntegerDivideByZero);
  Value two[] = {Value::i32(2)};
  out = inst->call("div", two);
  ASSERT_TRUE(out.ok() && out->returned()) << "the instance stays usable after a trap";
  EXPECT_EQ(out->results[0], Value::i32(0));
}

TEST(Instance, HostFunctionCalledFromGuestSeesMemory) {
  Linker linker;
  int calls = 0;
  linker.defineFunc(
      "env", "poke", FuncType{{ValType::I32, ValType::I32}, {ValType::I32}},
      [&calls](CallContext &ctx, std::span<const Value> args, std::span<Value> results) {
        ++calls;
        std::span<uint8_t> mem = ctx.memory();
        uint32_t addr = args[0].asI32();
        if (addr >= mem.size()) return HostResult::trap("bad address");
        mem[addr] = uint8_t(args[1].asI32());
        results[0] = Value::i32(uint32_t(mem.size() / kPageSize));
        return HostResult::ok();
      });
  auto inst = instantiate(linker, R"((module
    (import "env" "poke" (func $poke (param i32 i32) (result i32)))
    (memory (export "mem") 2)
    (func (export "run") (param i32) (result i32)
      (drop (call $poke (local.get 0) (i32.const 42)))
      (i32.add (call $poke (i32.const 5) (i32.const 1)) (i32.load8_u (local.get 0))))))");
  ASSERT_TRUE(inst);
  Value args[] = {Value::i32(100)};
  auto out = inst->call("run", args);
  ASSERT_TRUE(out.ok() && out->returned()) << (out.ok() ? out->trap.describe() : "");
  EXPECT_EQ(out->results[0], Value::i32(2 + 42));
  EXPECT_EQ(calls, 2);
  auto mem = inst->getExport("mem");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->memoryBytes().size(), 2 * kPageSize);
  EXPECT_EQ(mem->memoryBytes()[5], 1);

  Value bad[] = {Value::i32(uint32_t(3 * kPageSize))};
  out = inst->call("run", bad);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap.kind, TrapKind::HostError);
  EXPECT_EQ(out->trap.message, "bad address");
}

TEST(Instance, CallThroughExternAndFuncref) {
  auto inst = instantiate(Linker(), R"((module
    (func $sq (export "sq") (param i64) (result i64) local.get 0 local.get 0 i64.mul)))");
  ASSERT_TRUE(inst);
  auto sq = inst->getExport("sq");
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ(sq->kind(), ExternKind::Func);
  Value args[] = {Value::i64(9)};
  auto out = inst->call(*sq, args);
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->results[0], Value::i64(81));
  EXPECT_FALSE(inst->getExport("nope").ok());
}

TEST(Linker, UnknownImportNamesTheImport) {
  Linker linker;
  linker.defineFunc(
      "spectest", "print", FuncType{},
      [](CallContext &, std::span<const Value>, std::span<Value>) { return HostResult::ok(); });
  auto m = compileWat(R"((module (import "spectest" "foo" (func))))");
  ASSERT_TRUE(m);
  auto inst = linker.instantiate(m);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::UnknownImport);
  EXPECT_EQ(inst.error().message, "unknown import spectest.foo");
  EXPECT_NE(inst.error().offset, kNoOffset);
}

TEST(Linker, IncompatibleImport) {
  Linker linker;
  linker.define("spectest", "memory", *Extern::hostMemory(MemoryType{{1, 2}}));
  auto ok = compileWat(R"((module (import "spectest" "memory" (memory 0 3))))");
  auto too_big = compileWat(R"((module (import "spectest" "memory" (memory 2))))");
  auto wrong_kind = compileWat(R"((module (import "spectest" "memory" (table 1 funcref))))");
  ASSERT_TRUE(ok && too_big && wrong_kind);
  EXPECT_TRUE(linker.instantiate(ok).ok());
  auto inst = linker.instantiate(too_big);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
  EXPECT_EQ(inst.error().message.rfind("incompatible import type for spectest.memory: ", 0), 0u)
      << inst.error().message;
  inst = linker.instantiate(wrong_kind);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::IncompatibleImport);
}

TEST(Linker, StartFunctionRunsAndItsTrapFailsInstantiation) {
  Linker linker;
  auto inst = instantiate(linker, R"((module
    (global $g (export "g") (mut i32) (i32.const 0))
    (func $start (global.set $g (i32.const 99)))
    (start $start)))");
  ASSERT_TRUE(inst);
  EXPECT_EQ(*inst->getGlobal("g"), Value::i32(99));

  auto bad = compileWat(R"((module (func $s unreachable) (start $s)))");
  ASSERT_TRUE(bad);
  auto failed = linker.instantiate(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::InstantiationTrap);
  EXPECT_NE(failed.error().message.find("unreachable"), std::string::npos)
      << failed.error().message;

  auto deep = compileWat(R"((module (func $s call $s) (start $s)))");
  ASSERT_TRUE(deep);
  failed = linker.instantiate(deep);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::InstantiationTrap);
}

TEST(Linker, InstantiationTrapKeepsEarlierWrites) {
  Linker linker;
  auto a = instantiate(linker, R"((module
    (memory (export "mem") 1)
    (table (export "tab") 4 funcref)
    (type $t (func (result i32)))
    (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))))");
  ASSERT_TRUE(a);
  linker.defineInstance("A", *a);
  auto b = compileWat(R"((module
    (import "A" "mem" (memory 1))
    (import "A" "tab" (table 4 funcref))
    (func $f (result i32) i32.const 1234)
    (elem (i32.const 3) $f)
    (data (i32.const 7) "\2a")
    (data (i32.const 65535) "xy")))");
  ASSERT_TRUE(b);
  auto failed = linker.instantiate(b);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::InstantiationTrap);
  EXPECT_EQ(failed.error().message, "out of bounds memory access");

  Value seven[] = {Value::i32(7)};
  auto out = a->call("load", seven);
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->results[0], Value::i32(42));
  Value three[] = {Value::i32(3)};
  out = a->call("call", three);
  ASSERT_TRUE(out.ok() && out->returned()) << "the failed instance's function stays callable";
  EXPECT_EQ(out->results[0], Value::i32(1234));
}

TEST(Linker, SharedGlobalsAcrossInstances) {
  Linker linker;
  auto g = Extern::hostGlobal(GlobalType{ValType::I64, true}, Value::i64(5));
  ASSERT_TRUE(g.ok());
  linker.define("host", "counter", *g);
  auto inst = instantiate(linker, R"((module
    (global $c (import "host" "counter") (mut i64))
    (func (export "bump") (global.set $c (i64.add (global.get $c) (i64.const 1))))))");
  ASSERT_TRUE(inst);
  ASSERT_TRUE(inst->call("bump", {}).ok());
  EXPECT_EQ(*g->globalValue(), Value::i64(6));
  ASSERT_TRUE(g->setGlobalValue(Value::i64(100)).ok());
  ASSERT_TRUE(inst->call("bump", {}).ok());
  EXPECT_EQ(*g->globalValue(), Value::i64(101));
  EXPECT_FALSE(g->setGlobalValue(Value::i32(1)).ok()) << "wrong type";

  auto fixed = Extern::hostGlobal(GlobalType{ValType::I32, false}, Value::i32(1));
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(fixed->setGlobalValue(Value::i32(2)).ok()) << "immutable";
  EXPECT_FALSE(Extern::hostGlobal(GlobalType{ValType::I32, false}, Value::f32(1)).ok());
}

TEST(Linker, DefineInstanceKeepsExporterAlive) {
  Linker linker;
  {
    auto a = instantiate(Linker(), R"((module
      (memory (export "m") 1)
      (data (i32.const 0) "hi")
      (func (export "seven") (result i32) i32.const 7)))");
    ASSERT_TRUE(a);
    linker.defineInstance("A", *a);
  }
  auto b = instantiate(linker, R"((module
    (import "A" "seven" (func $seven (result i32)))
    (import "A" "m" (memory 1))
    (func (export "f") (result i32) (i32.add (call $seven) (i32.load8_u (i32.const 1))))))");
  ASSERT_TRUE(b);
  auto out = b->call("f", {});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->results[0], Value::i32(7 + 'i'));
}

TEST(Extern, HostObjectsCheckTheirTypes) {
  EXPECT_FALSE(
      Extern::hostTable(TableType{ValType::FuncRef, {1, 2}}, Value::nullRef(ValType::ExternRef))
          .ok());
  auto t =
      Extern::hostTable(TableType{ValType::ExternRef, {1, 2}}, Value::nullRef(ValType::ExternRef));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kind(), ExternKind::Table);
  EXPECT_TRUE(t->memoryBytes().empty());
  EXPECT_FALSE(t->globalValue().ok());
  auto m = Extern::hostMemory(MemoryType{{0, 0}});
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->valid());
  EXPECT_TRUE(m->memoryBytes().empty());
  EXPECT_FALSE(Extern().valid());
}

} // namespace
} // namespace halter
