// Calls: recursion limits, indirect calls, host functions, traps and backtraces.
#include "wat_fixture.h"

namespace halter::test {
namespace {

Value i32(uint32_t v) {
  return Value::i32(v);
}

const char *kRecursion = R"((module
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (func $forever (export "forever") (call $forever))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
))";

TEST(CallTest, RecursionWorksBelowTheLimits) {
  auto inst = instantiateWat(kRecursion);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "fib", {i32(20)}), 6765u);
  EXPECT_EQ(callI32(*inst, "down", {i32(5000)}), 5000u);
}

TEST(CallTest, DeepRecursionIsStackExhaustedNotACrash) {
  Limits config;
  config.max_call_depth = 1000000;
  auto inst = instantiateWat(kRecursion, Linker(), config);
  ASSERT_NE(inst, nullptr);
  Trap trap = callTrap(*inst, "forever");
  EXPECT_EQ(trap.kind, TrapKind::StackExhausted);
  EXPECT_FALSE(trap.backtrace.empty());
  // The instance stays usable.
  EXPECT_EQ(callI32(*inst, "fib", {i32(10)}), 55u);
  // Bounded by stack bytes too: a big stack allows a million frames of `down`.
  config.max_stack_bytes = 512u << 20;
  auto big = instantiateWat(kRecursion, Linker(), config);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(callI32(*big, "down", {i32(900000)}), 900000u);
  EXPECT_EQ(callTrap(*big, "down", {i32(1000001)}).kind, TrapKind::StackExhausted);
}

TEST(CallTest, CallDepthLimit) {
  Limits config;
  config.max_call_depth = 100;
  auto inst = instantiateWat(kRecursion, Linker(), config);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "down", {i32(99)}), 99u); // 100 frames
  EXPECT_EQ(callTrap(*inst, "down", {i32(100)}).kind, TrapKind::StackExhausted);
}

TEST(CallTest, CallIndirectTraps) {
  auto inst = instantiateWat(R"((module
    (type $ii (func (param i32) (result i32)))
    (type $v (func))
    (table 4 funcref)
    (elem (i32.const 0) $double $nothing)
    (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func $nothing)
    (func (export "call") (param i32 i32) (result i32)
      (call_indirect (type $ii) (local.get 1) (local.get 0)))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "call", {i32(0), i32(21)}), 42u);
  EXPECT_EQ(callTrap(*inst, "call", {i32(1), i32(1)}).kind, TrapKind::IndirectCallTypeMismatch);
  EXPECT_EQ(callTrap(*inst, "call", {i32(2), i32(1)}).kind, TrapKind::UninitializedElement);
  EXPECT_EQ(callTrap(*inst, "call", {i32(4), i32(1)}).kind, TrapKind::UndefinedElement);
  EXPECT_EQ(callTrap(*inst, "call", {i32(0xFFFFFFFFu), i32(1)}).kind, TrapKind::UndefinedElement);
}

TEST(CallTest, HostFunctionsGetArgumentsAndReturnResults) {
  Linker linker;
  int calls = 0;
  linker.defineFunc(
      "env", "mix",
      FuncType{{ValType::I32, ValType::I64, ValType::F64}, {ValType::I64, ValType::I32}},
      [&](CallContext &, std::span<const Value> args, std::span<Value> results) {
        ++calls;
        results[0] = Value::i64(args[1].asI64() + args[0].asI32());
        results[1] = Value::i32(static_cast<uint32_t>(args[2].asF64()));
        return HostResult::ok();
      });
  linker.defineFunc("env", "fail", FuncType{{}, {}},
                    [](CallContext &, std::span<const Value>, std::span<Value>) {
                      return HostResult::trap("no luck");
                    });
  auto inst = instantiateWat(R"((module
    (import "env" "mix" (func $mix (param i32 i64 f64) (result i64 i32)))
    (import "env" "fail" (func $fail))
    (func (export "go") (result i64)
      (local i32)
      (call $mix (i32.const 5) (i64.const 10) (f64.const 3.9))
      (local.set 0)
      (i64.add (i64.extend_i32_u (local.get 0))))
    (func $inner (call $fail))
    (func (export "fail") (call $inner))
  ))",
                             linker);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI64(*inst, "go"), 18u);
  EXPECT_EQ(calls, 1);
  Trap trap = callTrap(*inst, "fail");
  EXPECT_EQ(trap.kind, TrapKind::HostError);
  EXPECT_EQ(trap.message, "no luck");
  ASSERT_EQ(trap.backtrace.size(), 2u);
  EXPECT_EQ(trap.backtrace[0].func_name, "inner");
}

TEST(CallTest, HostCanCallBackIntoTheGuest) {
  Linker linker;
  std::shared_ptr<Instance> *self = nullptr;
  linker.defineFunc("env", "reenter", FuncType{{ValType::I32}, {ValType::I32}},
                    [&](CallContext &, std::span<const Value> args, std::span<Value> results) {
                      auto out = (*self)->call("square", args);
                      if (!out.ok() || !out->returned()) return HostResult::trap("inner call");
                      results[0] = out->results[0];
                      return HostResult::ok();
                    });
  auto inst = instantiateWat(R"((module
    (import "env" "reenter" (func $reenter (param i32) (result i32)))
    (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "outer") (param i32) (result i32)
      (i32.add (i32.const 1) (call $reenter (local.get 0))))
  ))",
                             linker);
  ASSERT_NE(inst, nullptr);
  self = &inst;
  EXPECT_EQ(callI32(*inst, "outer", {i32(7)}), 50u);
}

TEST(CallTest, TrapBacktraceIsInnermostFirstWithNamesAndOffsets) {
  auto inst = instantiateWat(R"((module
    (memory 1)
    (func $leaf (param i32) (result i32) (i32.load (local.get 0)))
    (func $middle (param i32) (result i32) (call $leaf (local.get 0)))
    (func $top (export "top") (param i32) (result i32) (call $middle (local.get 0)))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "top", {i32(0)}), 0u);
  Trap trap = callTrap(*inst, "top", {i32(65534)});
  EXPECT_EQ(trap.kind, TrapKind::MemoryOutOfBounds);
  ASSERT_EQ(trap.backtrace.size(), 3u);
  EXPECT_EQ(trap.backtrace[0].func_index, 0u);
  EXPECT_EQ(trap.backtrace[0].func_name, "leaf");
  EXPECT_EQ(trap.backtrace[1].func_name, "middle");
  EXPECT_EQ(trap.backtrace[2].func_name, "top");
  EXPECT_EQ(trap.backtrace[2].func_index, 2u);
  // Offsets point into the code section, in function order.
  EXPECT_GT(trap.backtrace[0].code_offset, 0u);
  EXPECT_LT(trap.backtrace[0].code_offset, trap.backtrace[1].code_offset);
  EXPECT_LT(trap.backtrace[1].code_offset, trap.backtrace[2].code_offset);
}

} // namespace
} // namespace halter::test
