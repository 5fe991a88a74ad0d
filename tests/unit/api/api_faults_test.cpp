// The public API cannot be used to crash the host (issue 9): executions keep
// their instance alive, one instance runs one call at a time, moved-from and
// finished executions answer errors, host exceptions and bad error codes
// become traps, a suspension under call() is a trap, and limit sums saturate.
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"
#include "runtime/lifetime_group.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <thread>

namespace halter {
namespace {

using namespace std::chrono_literals;
using test::watToWasm;

std::shared_ptr<const Module> compileWat(const std::string &wat) {
  auto m = Module::compile(watToWasm(wat));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? *m : nullptr;
}

// `spin` loops until stopped; `one` returns 1; `recurse` calls itself n times.
constexpr const char *kGuest = R"((module
  (memory (export "memory") 1)
  (data (i32.const 16) "\2a")
  (global $n (mut i32) (i32.const 0))
  (func (export "spin")
    (loop $l
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (br $l)))
  (func (export "one") (result i32) (i32.const 1))
  (func (export "byte") (result i32) (i32.load8_u (i32.const 16)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $recurse (i32.sub (local.get 0) (i32.const 1)))))))
)";

std::shared_ptr<Instance> guest(const Linker &linker = Linker(), const Limits &limits = {}) {
  auto inst = linker.instantiate(compileWat(kGuest), limits);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  return inst.ok() ? *inst : nullptr;
}

uint32_t resultOf(const Result<Outcome> &r) {
  EXPECT_TRUE(r.ok()) << r.error().describe();
  if (!r.ok()) return ~0u;
  EXPECT_TRUE(r->returned()) << outcomeKindName(r->kind) << " " << r->trap.describe();
  if (!r->returned() || r->results.empty()) return ~0u;
  return r->results[0].asI32();
}

// --- 1. An Execution keeps what it runs on alive ---------------------------

TEST(ApiFaults, ExecutionOutlivesItsInstance) {
  std::weak_ptr<rt::LifetimeGroup> group;
  Result<Execution> ex = [&] {
    std::shared_ptr<Instance> inst = guest();
    group = rt::groupOf(*detail::ApiAccess::impl(*inst));
    return inst->start("byte", {});
  }(); // the last Instance handle is gone
  ASSERT_TRUE(ex.ok()) << ex.error().describe();
  EXPECT_FALSE(group.expired()) << "the instance died under its Execution";
  EXPECT_EQ(resultOf(ex->run()), 42u);
  ex = makeError(ErrorCode::Internal, kNoOffset, "dropped");
  EXPECT_TRUE(group.expired()) << "the Execution leaked its instance";
}

TEST(ApiFaults, ExecutionStartedFromAnExternOutlivesBothInstances) {
  std::weak_ptr<rt::LifetimeGroup> callee_group;
  Result<Execution> ex = [&] {
    std::shared_ptr<Instance> callee = guest();
    std::shared_ptr<Instance> caller = guest();
    callee_group = rt::groupOf(*detail::ApiAccess::impl(*callee));
    auto byte = callee->getExport("byte");
    EXPECT_TRUE(byte.ok());
    return caller->start(*byte, {});
  }();
  ASSERT_TRUE(ex.ok()) << ex.error().describe();
  EXPECT_FALSE(callee_group.expired());
  EXPECT_EQ(resultOf(ex->run()), 42u);
}

TEST(ApiFaults, TemporaryInstanceStartThenRun) {
  Linker linker;
  auto m = compileWat(kGuest);
  Result<Execution> ex = (*linker.instantiate(m))->start("byte", {});
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(resultOf(ex->run()), 42u);
}

TEST(ApiFaults, MoveAssignOverAParkedExecutionOfADeadInstance) {
  Limits fuel;
  fuel.fuel = 1000;
  CallOptions options{fuel, {}};
  Result<Execution> a = guest()->start("spin", {}, options);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->run().value().kind, OutcomeKind::OutOfFuel); // parked
  Result<Execution> b = guest()->start("one", {});
  ASSERT_TRUE(b.ok());
  *a = std::move(*b); // drops the parked run before its instance
  EXPECT_EQ(resultOf(a->run()), 1u);
}

// --- 2. One instance, one thread at a time ---------------------------------

// Cancels a spinning call and joins its thread, at the latest on scope exit.
struct StopOnExit {
  CancelToken token;
  std::thread &thread;
  void now() {
    token.cancel();
    if (thread.joinable()) thread.join();
  }
  ~StopOnExit() { now(); }
};

TEST(ApiFaults, SecondThreadIsRefusedWithInstanceBusy) {
  std::shared_ptr<Instance> inst = guest();
  CallOptions options;
  options.cancel = CancelToken::create();
  Result<Outcome> spun = makeError(ErrorCode::Internal, kNoOffset, "not run");
  std::thread spinner([&] { spun = inst->call("spin", {}, options); });
  StopOnExit stop{options.cancel, spinner}; // a failed ASSERT still stops it

  // Until the spinner has taken the instance, calls still go through.
  Result<Outcome> refused = makeError(ErrorCode::Internal, kNoOffset, "never refused");
  for (Clock::time_point until = Clock::now() + 5s; Clock::now() < until;) {
    refused = inst->call("one", {});
    if (!refused.ok()) break;
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_FALSE(refused.ok()) << "a second thread ran the instance while it was busy";
  EXPECT_EQ(refused.error().code, ErrorCode::InstanceBusy) << refused.error().describe();

  // A started execution is refused too, and left as it was.
  Result<Execution> later = inst->start("one", {});
  ASSERT_TRUE(later.ok());
  Result<Outcome> busy = later->run();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::InstanceBusy);
  EXPECT_FALSE(later->finished());

  stop.now();
  ASSERT_TRUE(spun.ok()) << spun.error().describe();
  EXPECT_EQ(spun->kind, OutcomeKind::Cancelled);
  EXPECT_EQ(resultOf(later->run()), 1u);
  EXPECT_EQ(resultOf(inst->call("one", {})), 1u);
}

TEST(ApiFaults, DifferentInstancesRunInParallel) {
  std::shared_ptr<Instance> a = guest(), b = guest();
  CallOptions options;
  options.cancel = CancelToken::create();
  std::atomic<bool> started{false};
  Result<Outcome> spun = makeError(ErrorCode::Internal, kNoOffset, "not run");
  std::thread spinner([&] {
    started = true;
    spun = a->call("spin", {}, options);
  });
  StopOnExit stop{options.cancel, spinner};
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(resultOf(b->call("one", {})), 1u);
  stop.now();
  EXPECT_EQ(spun->kind, OutcomeKind::Cancelled);
}

TEST(ApiFaults, GuestCallIntoALinkedInstanceBusyOnAnotherThreadTraps) {
  std::shared_ptr<Instance> callee = guest();
  Linker linker;
  linker.defineInstance("callee", *callee);
  auto caller = linker.instantiate(compileWat(R"((module
    (import "callee" "one" (func $one (result i32)))
    (func (export "call_one") (result i32) (call $one))))"));
  ASSERT_TRUE(caller.ok()) << caller.error().describe();
  EXPECT_EQ(resultOf((*caller)->call("call_one", {})), 1u); // idle callee: fine

  CallOptions options;
  options.cancel = CancelToken::create();
  Result<Outcome> spun = makeError(ErrorCode::Internal, kNoOffset, "not run");
  std::thread spinner([&] { spun = callee->call("spin", {}, options); });
  StopOnExit stop{options.cancel, spinner};
  Result<Outcome> r = makeError(ErrorCode::Internal, kNoOffset, "never refused");
  for (Clock::time_point until = Clock::now() + 5s; Clock::now() < until;) {
    r = (*caller)->call("call_one", {});
    if (r.ok() && r->trapped()) break;
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_TRUE(r->trapped()) << "guest code ran a linked instance busy on another thread";
  EXPECT_EQ(r->trap.kind, TrapKind::InstanceBusy);
  stop.now();
  EXPECT_EQ(spun->kind, OutcomeKind::Cancelled);
  EXPECT_EQ(resultOf((*caller)->call("call_one", {})), 1u);
}

TEST(ApiFaults, HostFunctionMayCallBackOnTheSameThread) {
  Linker linker;
  std::shared_ptr<Instance> target = guest();
  uint32_t inner = 0;
  linker.defineFunc("env", "inner", FuncType{{}, {ValType::I32}},
                    [&](CallContext &, auto, std::span<Value> results) {
                      inner = resultOf(target->call("one", {}));
                      results[0] = Value::i32(inner + 1);
                      return HostResult::ok();
                    });
  auto outer = linker.instantiate(compileWat(R"((module
    (import "env" "inner" (func $inner (result i32)))
    (func (export "f") (result i32) (call $inner))
    (func (export "one") (result i32) (i32.const 1))))"));
  ASSERT_TRUE(outer.ok());
  // Nested into another instance, and into the calling instance itself.
  EXPECT_EQ(resultOf((*outer)->call("f", {})), 2u);
  target = *outer;
  inner = 0;
  EXPECT_EQ(resultOf((*outer)->call("f", {})), 2u);
  EXPECT_EQ(inner, 1u);
  target = nullptr;
}

// --- 3. Moved-from and finished executions ---------------------------------

TEST(ApiFaults, MovedFromExecutionIsADefinedEmptyState) {
  std::shared_ptr<Instance> inst = guest();
  Result<Execution> ex = inst->start("one", {});
  ASSERT_TRUE(ex.ok());
  Execution moved = std::move(*ex);
  Execution &empty = *ex;
  EXPECT_TRUE(empty.empty());
  Result<Outcome> r = empty.run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("empty"), std::string::npos);
  EXPECT_FALSE(empty.paused());
  EXPECT_FALSE(empty.suspended());
  EXPECT_TRUE(empty.finished());
  EXPECT_EQ(empty.fuelLeft(), 0u);
  EXPECT_EQ(empty.stats().fuel_used, 0u);
  empty.addFuel(5);
  empty.cancel();
  EXPECT_FALSE(empty.resume({}).ok());
  EXPECT_FALSE(empty.resumeWithError("x").ok());

  EXPECT_FALSE(moved.empty());
  EXPECT_EQ(resultOf(moved.run()), 1u);
}

TEST(ApiFaults, RunOnAFinishedExecutionSaysItIsFinished) {
  std::shared_ptr<Instance> inst = guest();
  Result<Execution> ex = inst->start("one", {});
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(resultOf(ex->run()), 1u);
  EXPECT_TRUE(ex->finished());
  Result<Outcome> again = ex->run();
  ASSERT_FALSE(again.ok()) << "run() repeated the last outcome";
  EXPECT_EQ(again.error().code, ErrorCode::ExecutionFinished);
  EXPECT_EQ(ex->stats().fuel_used, 0u); // still readable
}

// --- 4. A host function that throws ----------------------------------------

struct Thrower {
  Linker linker;
  int calls = 0;
  Thrower() {
    linker.defineFunc("env", "boom", FuncType{}, [this](CallContext &, auto, auto) -> HostResult {
      ++calls;
      throw std::runtime_error("kaboom");
    });
    linker.defineFunc("env", "odd", FuncType{}, [this](CallContext &, auto, auto) -> HostResult {
      ++calls;
      throw 42;
    });
  }
};

constexpr const char *kThrowerGuest = R"((module
  (import "env" "boom" (func $boom))
  (import "env" "odd" (func $odd))
  (func (export "boom") (call $boom))
  (func (export "odd") (call $odd))
  (func (export "one") (result i32) (i32.const 1))))";

TEST(ApiFaults, HostExceptionBecomesAHostErrorTrap) {
  Thrower host;
  auto inst = host.linker.instantiate(compileWat(kThrowerGuest));
  ASSERT_TRUE(inst.ok());
  Result<Execution> ex = (*inst)->start("boom", {});
  ASSERT_TRUE(ex.ok());
  Result<Outcome> r = ex->run();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->trapped()) << outcomeKindName(r->kind);
  EXPECT_EQ(r->trap.kind, TrapKind::HostError);
  EXPECT_NE(r->trap.message.find("kaboom"), std::string::npos) << r->trap.message;
  EXPECT_FALSE(r->trap.backtrace.empty());
  EXPECT_TRUE(ex->finished());
  EXPECT_FALSE(ex->run().ok());
  EXPECT_EQ(host.calls, 1) << "a second run() called the host again";

  Result<Outcome> odd = (*inst)->call("odd", {});
  ASSERT_TRUE(odd.ok());
  ASSERT_TRUE(odd->trapped());
  EXPECT_NE(odd->trap.message.find("unknown exception"), std::string::npos) << odd->trap.message;
  // The instance is left usable.
  EXPECT_EQ(resultOf((*inst)->call("one", {})), 1u);
}

TEST(ApiFaults, HostExceptionFromAHostEntryFunction) {
  Thrower host;
  auto inst = host.linker.instantiate(compileWat(kThrowerGuest));
  ASSERT_TRUE(inst.ok());
  Extern boom = Extern::hostFunc(
      FuncType{}, [](CallContext &, auto, auto) -> HostResult { throw std::logic_error("nope"); },
      HostErrors::Trap, "env", "direct");
  Result<Execution> ex = (*inst)->start(boom, {});
  ASSERT_TRUE(ex.ok());
  Result<Outcome> r = ex->run();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap.kind, TrapKind::HostError);
  EXPECT_NE(r->trap.message.find("nope"), std::string::npos) << r->trap.message;
  EXPECT_FALSE(ex->run().ok());
}

// --- 5. A suspension under call() ------------------------------------------

TEST(ApiFaults, SuspensionUnderCallIsATrapThatSaysUseStart) {
  Linker linker;
  int calls = 0;
  linker.defineFunc("env", "wait", FuncType{}, [&](CallContext &, auto, auto) {
    ++calls;
    return HostResult::suspend();
  });
  auto inst = linker.instantiate(compileWat(R"((module
    (import "env" "wait" (func $wait))
    (func (export "f") (call $wait))
    (func (export "one") (result i32) (i32.const 1))))"));
  ASSERT_TRUE(inst.ok());
  Result<Outcome> r = (*inst)->call("f", {});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_TRUE(r->trapped()) << "the pending call was lost: " << outcomeKindName(r->kind);
  EXPECT_EQ(r->trap.kind, TrapKind::HostError);
  EXPECT_NE(r->trap.message.find("start()"), std::string::npos) << r->trap.message;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(resultOf((*inst)->call("one", {})), 1u); // not left parked

  // A host function called directly.
  Extern wait =
      Extern::hostFunc(FuncType{}, [](CallContext &, auto, auto) { return HostResult::suspend(); });
  Result<Outcome> direct = (*inst)->call(wait, {});
  ASSERT_TRUE(direct.ok());
  ASSERT_TRUE(direct->trapped()) << outcomeKindName(direct->kind);
  EXPECT_NE(direct->trap.message.find("start()"), std::string::npos);

  // start() still suspends.
  Result<Execution> ex = (*inst)->start("f", {});
  ASSERT_TRUE(ex.ok());
  EXPECT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
}

// --- 6. Error codes below 1 ------------------------------------------------

TEST(ApiFaults, HostErrorWithCodeBelowOneIsATrapLikeResumeWithError) {
  for (int32_t code : {0, -5}) {
    for (HostErrors mode : {HostErrors::NegativeCode, HostErrors::Trap}) {
      Linker linker;
      linker.defineFunc(
          "env", "fail", FuncType{{}, {ValType::I32}},
          [code](CallContext &, auto, auto) { return HostResult::error("bad thing", code); }, mode);
      auto inst = linker.instantiate(compileWat(R"((module
        (import "env" "fail" (func $fail (result i32)))
        (func (export "f") (result i32) (call $fail))))"));
      ASSERT_TRUE(inst.ok());
      Result<Outcome> r = (*inst)->call("f", {});
      ASSERT_TRUE(r.ok());
      ASSERT_TRUE(r->trapped()) << "code " << code << " reached the guest as "
                                << (r->results.empty() ? 0 : int32_t(r->results[0].asI32()));
      EXPECT_EQ(r->trap.kind, TrapKind::HostError);
      EXPECT_NE(r->trap.message.find("code " + std::to_string(code)), std::string::npos)
          << r->trap.message;

      // Called directly, the same.
      auto fail = (*inst)->getExport("f");
      ASSERT_TRUE(fail.ok());
      Extern direct = Extern::hostFunc(
          FuncType{{}, {ValType::I32}},
          [code](CallContext &, auto, auto) { return HostResult::error("bad thing", code); }, mode);
      Result<Outcome> d = (*inst)->call(direct, {});
      ASSERT_TRUE(d.ok());
      EXPECT_TRUE(d->trapped()) << "code " << code;
    }
  }
}

// --- 7. Limits saturate; max_call_depth 0 is refused -----------------------

TEST(ApiFaults, HugeTimeoutIsNoDeadline) {
  std::shared_ptr<Instance> inst = guest();
  for (std::chrono::nanoseconds timeout :
       {std::chrono::nanoseconds::max(), std::chrono::nanoseconds::max() / 2,
        std::chrono::nanoseconds(std::chrono::hours(24 * 365 * 200))}) {
    CallOptions options;
    options.limits = Limits{};
    options.limits->timeout = timeout;
    EXPECT_EQ(resultOf(inst->call("one", {}, options)), 1u);
    // Still no deadline while the guest runs: fuel stops it.
    options.limits->fuel = 100000;
    Result<Outcome> r = inst->call("spin", {}, options);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->kind, OutcomeKind::OutOfFuel);
  }
  CallOptions far;
  far.limits = Limits{};
  far.limits->deadline = Clock::time_point::max();
  EXPECT_EQ(resultOf(inst->call("one", {}, far)), 1u);
}

TEST(ApiFaults, MaxCallDepthZeroIsRefused) {
  std::shared_ptr<Instance> inst = guest();
  CallOptions options;
  options.limits = Limits{};
  options.limits->max_call_depth = 0;
  Value arg = Value::i32(3);
  Result<Outcome> r = inst->call("recurse", std::span(&arg, 1), options);
  ASSERT_FALSE(r.ok()) << "max_call_depth 0 ran: " << outcomeKindName(r->kind);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_FALSE(inst->start("one", {}, options).ok());
  Limits zero;
  zero.max_call_depth = 0;
  EXPECT_FALSE(Linker().instantiate(compileWat(kGuest), zero).ok());

  // 1 is the entry frame alone.
  options.limits->max_call_depth = 1;
  arg = Value::i32(0);
  EXPECT_EQ(resultOf(inst->call("recurse", std::span(&arg, 1), options)), 0u);
  arg = Value::i32(1);
  Result<Outcome> deep = inst->call("recurse", std::span(&arg, 1), options);
  ASSERT_TRUE(deep.ok());
  ASSERT_TRUE(deep->trapped());
  EXPECT_EQ(deep->trap.kind, TrapKind::StackExhausted);
}

TEST(ApiFaults, AddFuelSaturates) {
  std::shared_ptr<Instance> inst = guest();
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 1000;
  Result<Execution> ex = inst->start("spin", {}, options);
  ASSERT_TRUE(ex.ok());
  ASSERT_EQ(ex->run().value().kind, OutcomeKind::OutOfFuel);
  uint64_t before = ex->fuelLeft();
  ex->addFuel(UINT64_MAX);
  uint64_t once = ex->fuelLeft();
  EXPECT_GT(once, before);
  ex->addFuel(UINT64_MAX);
  EXPECT_GE(ex->fuelLeft(), once) << "a second addFuel lowered the fuel left";
  EXPECT_EQ(ex->fuelLeft(), uint64_t(INT64_MAX));
  ex->cancel();
  EXPECT_EQ(ex->run().value().kind, OutcomeKind::Cancelled);
  EXPECT_GE(ex->stats().fuel_used, 1000u - before);

  // A fuel budget above INT64_MAX is the same as INT64_MAX.
  options.limits->fuel = UINT64_MAX;
  Result<Execution> big = inst->start("one", {}, options);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->fuelLeft(), uint64_t(INT64_MAX));
  big->addFuel(UINT64_MAX);
  EXPECT_EQ(big->fuelLeft(), uint64_t(INT64_MAX));
  EXPECT_EQ(resultOf(big->run()), 1u);
}

} // namespace
} // namespace halter
