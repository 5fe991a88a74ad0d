// Lazy lowering (DESIGN §3.5): compile validates everything and lowers
// nothing; a function's code of one form (unmetered or metered) is made by
// the first call that needs it, once, whichever thread makes it; what runs is
// the same as with eager lowering, fuel included.
#include "support/wat.h"

#include "halter/halter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

namespace halter {
namespace {

// Functions reached in different ways: direct calls, an indirect call, a
// call from the start function, and two that nothing calls.
constexpr const char *kReach = R"((module
  (type $i2i (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $by_table $never_in_table)
  (global $started (mut i32) (i32.const 0))
  (func $start (global.set $started (call $from_start)))
  (start $start)
  (func $from_start (result i32) (i32.const 7))
  (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $by_table (param i32) (result i32) (i32.add (local.get 0) (i32.const 100)))
  (func $never_in_table (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
  (func $never (result i32) (call $leaf (i32.const 1)))
  (func (export "direct") (param i32) (result i32) (call $leaf (local.get 0)))
  (func (export "indirect") (param i32) (result i32)
    (call_indirect (type $i2i) (local.get 0) (i32.const 0)))
  (func (export "started") (result i32) (global.get $started))
  (func (export "uncalled") (result i32) (call $never))
))";

std::shared_ptr<const Module> compileWat(const std::string &wat, const CompileOptions &options) {
  auto m = Module::compile(test::watToWasm(wat), options);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  return m.ok() ? *m : nullptr;
}

std::shared_ptr<Instance> instantiateModule(std::shared_ptr<const Module> module) {
  auto inst = Linker().instantiate(std::move(module));
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().describe());
  return inst.ok() ? *inst : nullptr;
}

int32_t callI32(Instance &inst, const std::string &name, std::vector<Value> args,
                const CallOptions &options = {}) {
  auto out = inst.call(name, args, options);
  EXPECT_TRUE(out.ok()) << name << ": " << (out.ok() ? "" : out.error().describe());
  if (!out.ok()) return INT32_MIN;
  EXPECT_EQ(out->kind, OutcomeKind::Returned) << name;
  return out->results.empty() ? INT32_MIN : out->results[0].asS32();
}

CallOptions withFuel(uint64_t fuel) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = fuel;
  return options;
}

TEST(LazyLowering, CompileLowersNothingAndCallsLowerOnlyWhatTheyReach) {
  auto module = compileWat(kReach, {});
  ASSERT_NE(module, nullptr);
  EXPECT_EQ(module->stats().functions, 10u);
  EXPECT_EQ(module->stats().lowered, 0u);
  EXPECT_EQ(module->stats().code_bytes, 0u);

  auto inst = instantiateModule(module);
  ASSERT_NE(inst, nullptr);
  // The start function and the function it calls.
  EXPECT_EQ(module->stats().lowered, 2u);
  EXPECT_EQ(callI32(*inst, "started", {}), 7);
  EXPECT_EQ(module->stats().lowered, 3u);
  EXPECT_EQ(callI32(*inst, "direct", {Value::i32(5)}), 15);
  EXPECT_EQ(module->stats().lowered, 5u); // direct and $leaf
  EXPECT_EQ(callI32(*inst, "indirect", {Value::i32(5)}), 105);
  EXPECT_EQ(module->stats().lowered, 7u); // indirect and $by_table
  // A second call and a second instance lower nothing more: the code is the
  // module's.
  EXPECT_EQ(callI32(*inst, "direct", {Value::i32(6)}), 18);
  auto second = instantiateModule(module);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(callI32(*second, "indirect", {Value::i32(1)}), 101);
  EXPECT_EQ(module->stats().lowered, 7u);
  // $never, $never_in_table and "uncalled" were never reached.
  EXPECT_EQ(module->stats().lowered_metered, 0u);
  EXPECT_GT(module->stats().code_bytes, 0u);
}

TEST(LazyLowering, MeteredCallsLowerTheMeteredFormOnTheirOwn) {
  auto module = compileWat(kReach, {});
  ASSERT_NE(module, nullptr);
  auto inst = instantiateModule(module);
  ASSERT_NE(inst, nullptr);
  uint32_t plain_before = module->stats().lowered;
  EXPECT_EQ(callI32(*inst, "direct", {Value::i32(4)}, withFuel(1000)), 12);
  EXPECT_EQ(module->stats().lowered_metered, 2u);
  EXPECT_EQ(module->stats().lowered, plain_before) << "a metered call lowers no unmetered code";
  EXPECT_EQ(callI32(*inst, "direct", {Value::i32(4)}), 12);
  EXPECT_EQ(module->stats().lowered, plain_before + 2);
}

TEST(LazyLowering, EagerOptionsLowerEveryFunctionOfTheirForms) {
  struct Case {
    Lowering lowering;
    uint32_t plain, metered;
  } cases[] = {
      {Lowering::Eager, 10, 0}, {Lowering::EagerMetered, 0, 10}, {Lowering::EagerBoth, 10, 10}};
  for (const Case &c : cases) {
    auto module = compileWat(kReach, {c.lowering});
    ASSERT_NE(module, nullptr);
    EXPECT_EQ(module->stats().lowered, c.plain);
    EXPECT_EQ(module->stats().lowered_metered, c.metered);
    auto inst = instantiateModule(module);
    ASSERT_NE(inst, nullptr);
    EXPECT_EQ(callI32(*inst, "direct", {Value::i32(2)}), 6);
    EXPECT_EQ(callI32(*inst, "direct", {Value::i32(2)}, withFuel(100)), 6);
    // Eager forms are complete; a lazy form still fills in on demand.
    EXPECT_EQ(module->stats().lowered,
              c.plain == 10 ? 10u : 4u); // start, $from_start, direct, $leaf
  }
}

TEST(LazyLowering, AnInvalidFunctionNobodyCallsStillFailsCompile) {
  // The second function's body leaves an i64 where an i32 is due.
  auto bytes = test::watToWasm(R"((module
    (func (export "ok") (result i32) (i32.const 1))
    (func (result i32) (i64.const 2))))",
                               "--no-check");
  ASSERT_FALSE(bytes.empty());
  auto module = Module::compile(bytes);
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().code, ErrorCode::TypeMismatch) << module.error().describe();
}

// Many threads make the first call of the same functions at once: each form
// of each function is lowered once, and every call answers right.
TEST(LazyLowering, ConcurrentFirstCallsLowerOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    auto module = compileWat(kReach, {});
    ASSERT_NE(module, nullptr);
    std::vector<std::shared_ptr<Instance>> instances;
    for (int t = 0; t < kThreads; ++t) instances.push_back(instantiateModule(module));
    std::atomic<int> ready{0};
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        bool metered = t % 2 == 1;
        CallOptions options = metered ? withFuel(10000) : CallOptions{};
        std::vector<Value> args{Value::i32(t)};
        auto a = instances[t]->call("indirect", args, options);
        auto b = instances[t]->call("direct", args, options);
        if (!a.ok() || !b.ok() || a->results.empty() || b->results.empty() ||
            a->results[0].asS32() != t + 100 || b->results[0].asS32() != 3 * t)
          wrong.fetch_add(1);
      });
    }
    for (std::thread &t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
    // start, $from_start (at instantiation), indirect, $by_table, direct, $leaf.
    EXPECT_EQ(module->stats().lowered, 6u) << "round " << round;
    EXPECT_EQ(module->stats().lowered_metered, 4u) << "round " << round;
  }
}

// A program with calls at random depths, loops and traps: lazy and eager
// lowering give the same results, the same fuel used and the same traps with
// the same backtraces, metered or not (fixed seed).
std::string randomProgram(std::mt19937 &rng) {
  std::string wat = "(module\n (memory 1)\n";
  constexpr int kFuncs = 12;
  for (int f = 0; f < kFuncs; ++f) {
    wat += " (func $f" + std::to_string(f) + " (param i32) (result i32) (local i32)\n";
    wat += "  (local.set 1 (local.get 0))\n";
    int steps = 1 + int(rng() % 4);
    for (int s = 0; s < steps; ++s) {
      switch (rng() % 4) {
      case 0: // a call to a later function (no recursion)
        if (f + 1 < kFuncs) {
          int callee = f + 1 + int(rng() % uint32_t(kFuncs - f - 1));
          wat += "  (local.set 1 (i32.add (local.get 1) (call $f" + std::to_string(callee) +
                 " (i32.and (local.get 1) (i32.const 15)))))\n";
        }
        break;
      case 1: // a counted loop
        wat += "  (block (loop (br_if 1 (i32.eqz (local.get 0)))\n"
               "    (local.set 1 (i32.mul (local.get 1) (i32.const 3)))\n"
               "    (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))\n";
        break;
      case 2: // a memory round trip
        wat += "  (i32.store (i32.and (local.get 1) (i32.const 1020)) (local.get 1))\n"
               "  (local.set 1 (i32.load (i32.and (local.get 1) (i32.const 1020))))\n";
        break;
      default: // a trap on some inputs
        wat += "  (if (i32.eq (i32.and (local.get 1) (i32.const 63)) (i32.const " +
               std::to_string(rng() % 64) + ")) (then unreachable))\n";
        break;
      }
    }
    wat += "  (local.get 1))\n";
  }
  wat += " (func (export \"main\") (param i32) (result i32) (call $f0 (local.get 0))))\n";
  return wat;
}

TEST(LazyLowering, RandomProgramsRunAsUnderEagerLowering) {
  std::mt19937 rng(20261202);
  for (int program = 0; program < 30; ++program) {
    std::string wat = randomProgram(rng);
    auto lazy = compileWat(wat, {Lowering::Lazy});
    auto eager = compileWat(wat, {Lowering::EagerBoth});
    ASSERT_NE(lazy, nullptr);
    ASSERT_NE(eager, nullptr);
    auto lazy_inst = instantiateModule(lazy), eager_inst = instantiateModule(eager);
    ASSERT_NE(lazy_inst, nullptr);
    ASSERT_NE(eager_inst, nullptr);
    for (int input = 0; input < 6; ++input) {
      for (bool metered : {false, true}) {
        SCOPED_TRACE("program " + std::to_string(program) + " input " + std::to_string(input) +
                     (metered ? " metered" : ""));
        // Small fuel budgets stop some runs midway: those must agree too.
        CallOptions options = metered ? withFuel(50 + rng() % 400) : CallOptions{};
        std::vector<Value> args{Value::i32(int32_t(rng() % 40))};
        auto a = lazy_inst->call("main", args, options);
        auto b = eager_inst->call("main", args, options);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->kind, b->kind);
        EXPECT_EQ(a->stats.fuel_used, b->stats.fuel_used);
        if (a->kind == OutcomeKind::Returned) {
          EXPECT_EQ(a->results[0].asS32(), b->results[0].asS32());
        }
        if (a->kind == OutcomeKind::Trapped) {
          EXPECT_EQ(a->trap.describe(), b->trap.describe());
        }
      }
    }
    EXPECT_LE(lazy->stats().lowered, eager->stats().lowered);
  }
}

} // namespace
} // namespace halter
