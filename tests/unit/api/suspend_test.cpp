// Host calls that park the guest (DESIGN §5), end to end with the C guest
// tests/guests/ask.c: the host function `ask` suspends, the embedder answers
// later with resume() or resumeWithError().
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

namespace halter {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const Module> askModule() {
  std::ifstream in(std::string(HALTER_TEST_GUEST_DIR) + "/ask.wasm", std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  EXPECT_FALSE(bytes.empty()) << "ask.wasm not built";
  auto m = Module::compile(bytes);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  return m.ok() ? *m : nullptr;
}

const FuncType kAskType{{ValType::I32, ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}};

// `ask` always suspends; `add_one` answers at once unless `suspend_add_one`.
struct Host {
  Linker linker;
  bool suspend_add_one = false;
  int add_one_calls = 0;
  Host() {
    linker.defineFunc(
        "host", "ask", kAskType, [](CallContext &, auto, auto) { return HostResult::suspend(); },
        HostErrors::NegativeCode);
    linker.defineFunc("host", "add_one", [this](CallContext &ctx, int32_t x) {
      ++add_one_calls;
      if (suspend_add_one) ctx.answer(HostResult::suspend());
      return x + 1;
    });
  }
  std::shared_ptr<Instance> instantiate(const Limits &limits = {}) {
    auto inst = linker.instantiate(askModule(), limits);
    EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().describe());
    return inst.ok() ? *inst : nullptr;
  }
};

std::span<uint8_t> memoryOf(Instance &inst) {
  auto mem = inst.getExport("memory");
  EXPECT_TRUE(mem.ok());
  return mem->memoryBytes();
}

std::string readCString(Instance &inst, uint32_t addr) {
  std::span<uint8_t> mem = memoryOf(inst);
  std::string s;
  while (addr < mem.size() && mem[addr] != 0) s += char(mem[addr++]);
  return s;
}

// The question of a pending `ask`.
std::string questionOf(Instance &inst, const PendingCall &call) {
  std::span<uint8_t> mem = memoryOf(inst);
  uint32_t ptr = call.args[0].asI32(), len = call.args[1].asI32();
  return std::string(reinterpret_cast<const char *>(mem.data()) + ptr, len);
}

// Answers a pending `ask`: writes the answer into the guest's buffer.
void answer(Instance &inst, Execution &ex, const PendingCall &call, const std::string &text) {
  std::span<uint8_t> mem = memoryOf(inst);
  uint32_t out = call.args[2].asI32(), cap = call.args[3].asI32();
  uint32_t n = std::min<uint32_t>(cap, uint32_t(text.size()));
  std::memcpy(mem.data() + out, text.data(), n);
  Value len = Value::i32(n);
  ASSERT_TRUE(ex.resume(std::span(&len, 1)).ok());
}

TEST(Suspend, HappyPath) {
  Host host;
  auto inst = host.instantiate();
  ASSERT_TRUE(inst);
  auto ex = inst->start("ask_once", {});
  ASSERT_TRUE(ex.ok());
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::Suspended);
  EXPECT_TRUE(ex->suspended());
  EXPECT_EQ(out.pending.module, "host");
  EXPECT_EQ(out.pending.name, "ask");
  EXPECT_EQ(out.pending.args.size(), 4u);
  EXPECT_NE(out.pending.token, 0u);
  EXPECT_EQ(questionOf(*inst, out.pending), "What is the answer?");

  answer(*inst, *ex, out.pending, "forty-two");
  out = ex->run().value();
  ASSERT_TRUE(out.returned()) << outcomeKindName(out.kind);
  EXPECT_EQ(readCString(*inst, out.results[0].asI32()), "forty-two");
}

TEST(Suspend, ReentrantCallIsRefusedAndTheParkedCallStillResumes) {
  Host host;
  auto inst = host.instantiate();
  ASSERT_TRUE(inst);
  auto ex = inst->start("ask_once", {});
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::Suspended);

  auto t0 = Clock::now();
  auto refused = inst->call("ok", {});
  EXPECT_LT(Clock::now() - t0, 100ms); // at once, not after a wait
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ReentrantCall);
  auto refused_start = inst->start("ok", {});
  ASSERT_FALSE(refused_start.ok());
  EXPECT_EQ(refused_start.error().code, ErrorCode::ReentrantCall);

  answer(*inst, *ex, out.pending, "still here");
  out = ex->run().value();
  ASSERT_TRUE(out.returned());
  EXPECT_EQ(readCString(*inst, out.results[0].asI32()), "still here");
  auto now_ok = inst->call("ok", {});
  ASSERT_TRUE(now_ok.ok());
  EXPECT_EQ(now_ok->results[0].asI32(), 42u);
}

TEST(Suspend, ErrorReachesGuestCode) {
  Host host;
  auto inst = host.instantiate();
  auto ex = inst->start("ask_once", {});
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::Suspended);
  ASSERT_TRUE(ex->resumeWithError("ReentrantCallBlocked: cannot enter while suspended", 7).ok());
  out = ex->run().value();
  ASSERT_TRUE(out.returned()) << outcomeKindName(out.kind);
  EXPECT_EQ(readCString(*inst, out.results[0].asI32()),
            "caught: ReentrantCallBlocked: cannot enter while suspended");
}

TEST(Suspend, ErrorOnATrappingImportTrapsAndTheInstanceStaysUsable) {
  Linker linker;
  linker.defineFunc("host", "ask", kAskType,
                    [](CallContext &, auto, auto) { return HostResult::suspend(); });
  linker.defineFunc("host", "add_one", [](int32_t x) { return x + 1; });
  auto inst = linker.instantiate(askModule());
  ASSERT_TRUE(inst.ok());
  auto ex = (*inst)->start("ask_once", {});
  ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
  ASSERT_TRUE(ex->resumeWithError("the service is down").ok());
  Outcome out = ex->run().value();
  ASSERT_TRUE(out.trapped());
  EXPECT_EQ(out.trap.kind, TrapKind::HostError);
  EXPECT_EQ(out.trap.message, "the service is down");
  ASSERT_FALSE(out.trap.backtrace.empty());
  EXPECT_TRUE(ex->finished());
  auto ok = (*inst)->call("ok", {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->results[0].asI32(), 42u);
}

TEST(Suspend, StateAcrossFourSuspensionsInOneCall) {
  Host host;
  auto inst = host.instantiate();
  auto ex = inst->start("ask_four", {});
  std::vector<std::string> questions;
  Outcome out = ex->run().value();
  uint64_t last_token = 0;
  while (out.kind == OutcomeKind::Suspended) {
    EXPECT_NE(out.pending.token, last_token);
    last_token = out.pending.token;
    std::string q = questionOf(*inst, out.pending);
    questions.push_back(q);
    answer(*inst, *ex, out.pending, "A" + std::to_string(questions.size()) + "(" + q + ")");
    out = ex->run().value();
  }
  ASSERT_TRUE(out.returned()) << outcomeKindName(out.kind);
  EXPECT_EQ(questions, (std::vector<std::string>{"one?", "two?", "three?", "four?"}));
  EXPECT_EQ(readCString(*inst, out.results[0].asI32()), "A1(one?)+A2(two?)+A3(three?)+A4(four?)");
}

TEST(Suspend, CpuBoundGuestMeetsItsDeadline) {
  Host host;
  auto inst = host.instantiate();
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = 200ms;
  auto t0 = Clock::now();
  auto ex = inst->start("spin", {}, options);
  Outcome out = ex->run().value();
  auto elapsed = Clock::now() - t0;
  EXPECT_EQ(out.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 1s); // the embedder's thread was not held past the deadline
}

TEST(Suspend, DeadlineKeepsCountingWhileParked) {
  Host host;
  auto inst = host.instantiate();
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = 50ms;
  auto ex = inst->start("ask_once", {}, options);
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::Suspended);
  std::this_thread::sleep_for(80ms);
  out = ex->run().value(); // unanswered, but its time is up
  EXPECT_EQ(out.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_TRUE(ex->finished());
  EXPECT_TRUE(inst->call("ok", {}).ok()); // and the instance is free again
}

TEST(Suspend, ParkedExecutionCanBeCancelledGivenFuelOrDropped) {
  Host host;
  auto inst = host.instantiate();
  {
    auto ex = inst->start("ask_once", {});
    ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
    ex->cancel();
    EXPECT_EQ(ex->run().value().kind, OutcomeKind::Cancelled);
  }
  {
    CallOptions options;
    options.limits = Limits{};
    options.limits->fuel = 1'000'000;
    auto ex = inst->start("ask_once", {}, options);
    Outcome out = ex->run().value();
    ASSERT_EQ(out.kind, OutcomeKind::Suspended);
    uint64_t left = ex->fuelLeft();
    ex->addFuel(500);
    EXPECT_EQ(ex->fuelLeft(), left + 500);
    answer(*inst, *ex, out.pending, "fuelled");
    out = ex->run().value();
    ASSERT_TRUE(out.returned());
    EXPECT_EQ(out.stats.fuel_used + ex->fuelLeft(), 1'000'500u);
  }
  {
    auto ex = inst->start("ask_once", {});
    ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
    EXPECT_FALSE(inst->call("ok", {}).ok());
  } // dropped while parked
  auto ok = inst->call("ok", {});
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->results[0].asI32(), 42u);
}

TEST(Suspend, ResumeChecksResultTypes) {
  Host host;
  auto inst = host.instantiate();
  auto ex = inst->start("ask_once", {});
  ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
  Value wrong = Value::i64(3);
  auto r = ex->resume(std::span(&wrong, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("must be i32"), std::string::npos) << r.error().message;
  EXPECT_FALSE(ex->resume({}).ok());
  EXPECT_TRUE(ex->suspended()); // still waiting for a proper answer
  EXPECT_FALSE(ex->resumeWithError("x", 0).ok());
  // Running without an answer changes nothing.
  EXPECT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
}

TEST(Suspend, ResumeWithoutASuspendedCallIsAnError) {
  Host host;
  auto inst = host.instantiate();
  auto ex = inst->start("ok", {});
  Value v = Value::i32(1);
  EXPECT_FALSE(ex->resume(std::span(&v, 1)).ok());
  EXPECT_TRUE(ex->run().value().returned());
  EXPECT_FALSE(ex->resumeWithError("late").ok());
}

// DESIGN §10: answering every host call later gives the same result and the
// same fuel as answering it at once.
TEST(Suspend, SuspendingEveryCallChangesNothing) {
  Host sync_host;
  auto sync_inst = sync_host.instantiate();
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = uint64_t{1} << 40;
  Value n = Value::i32(300);
  auto sync = sync_inst->call("sum_calls", std::span(&n, 1), options);
  ASSERT_TRUE(sync.ok() && sync->returned());

  Host async_host;
  async_host.suspend_add_one = true;
  auto inst = async_host.instantiate();
  auto ex = inst->start("sum_calls", std::span(&n, 1), options);
  Outcome out = ex->run().value();
  int suspensions = 0;
  while (out.kind == OutcomeKind::Suspended) {
    ++suspensions;
    ASSERT_EQ(out.pending.name, "add_one");
    Value r = Value::i32(out.pending.args[0].asI32() + 1);
    ASSERT_TRUE(ex->resume(std::span(&r, 1)).ok());
    out = ex->run().value();
  }
  ASSERT_TRUE(out.returned());
  EXPECT_EQ(suspensions, 300);
  EXPECT_EQ(out.results[0].asI32(), sync->results[0].asI32());
  EXPECT_EQ(out.stats.fuel_used, sync->stats.fuel_used);
  EXPECT_GT(out.stats.fuel_used, 1000u);
}

TEST(Suspend, SynchronousNegativeCodeErrors) {
  Linker linker;
  linker.defineFunc(
      "host", "ask", kAskType,
      [](CallContext &, auto, auto) { return HostResult::error("no answer today", 3); },
      HostErrors::NegativeCode);
  linker.defineFunc("host", "add_one", [](int32_t x) { return x + 1; });
  auto inst = linker.instantiate(askModule());
  ASSERT_TRUE(inst.ok());
  auto out = (*inst)->call("ask_once", {});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(readCString(**inst, out->results[0].asI32()), "caught: no answer today");
}

TEST(Suspend, NegativeCodeNeedsOneIntegerResult) {
  Linker linker;
  linker.defineFunc(
      "host", "ask", FuncType{{}, {}}, [](CallContext &, auto, auto) { return HostResult::ok(); },
      HostErrors::NegativeCode);
  auto inst = linker.instantiate(askModule());
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(inst.error().message.find("host.ask"), std::string::npos);
}

TEST(Suspend, HostFunctionCalledDirectlyCanSuspend) {
  Linker linker;
  linker.defineFunc("env", "later", [](CallContext &ctx, int32_t x) {
    ctx.answer(HostResult::suspend());
    return x;
  });
  auto m = Module::compile(test::watToWasm(
      R"((module (import "env" "later" (func $later (param i32) (result i32)))
                 (export "later" (func $later))))"));
  ASSERT_TRUE(m.ok());
  auto inst = linker.instantiate(*m);
  ASSERT_TRUE(inst.ok());
  Value arg = Value::i32(5);
  auto ex = (*inst)->start("later", std::span(&arg, 1));
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::Suspended);
  EXPECT_EQ(out.pending.name, "later");
  Value r = Value::i32(99);
  ASSERT_TRUE(ex->resume(std::span(&r, 1)).ok());
  out = ex->run().value();
  ASSERT_TRUE(out.returned());
  EXPECT_EQ(out.results[0].asI32(), 99u);
}

TEST(TypedHostFunctions, TypesComeFromTheSignature) {
  Linker linker;
  linker.defineFunc("env", "mix", [](int32_t a, int64_t b, float c, double d) {
    return std::tuple<int64_t, double>(a + b, double(c) * d);
  });
  linker.defineFunc("env", "fail", [](CallContext &ctx) -> uint32_t {
    ctx.answer(HostResult::trap("typed failure"));
    return 0;
  });
  auto m = Module::compile(test::watToWasm(R"((module
      (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result i64 f64)))
      (import "env" "fail" (func $fail (result i32)))
      (func (export "go") (result i64 f64)
        (call $mix (i32.const 2) (i64.const 40) (f32.const 1.5) (f64.const 4)))
      (func (export "fail") (result i32) (call $fail))))"));
  ASSERT_TRUE(m.ok());
  auto inst = linker.instantiate(*m);
  ASSERT_TRUE(inst.ok()) << inst.error().describe(); // a type mismatch would fail to link
  auto out = (*inst)->call("go", {});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->results[0].asI64(), 42u);
  EXPECT_EQ(out->results[1].asF64(), 6.0);
  out = (*inst)->call("fail", {});
  ASSERT_TRUE(out->trapped());
  EXPECT_EQ(out->trap.message, "typed failure");
}

} // namespace
} // namespace halter

namespace halter {
namespace {

// Two instances: A waits in a host call; B calls into A.
struct TwoInstances {
  Linker linker;
  std::shared_ptr<Instance> a, b;
  TwoInstances() {
    linker.defineFunc("host", "wait", FuncType{{}, {ValType::I32}},
                      [](CallContext &, auto, auto) { return HostResult::suspend(); });
    auto ma = Module::compile(test::watToWasm(R"((module
        (import "host" "wait" (func $wait (result i32)))
        (func (export "waiting") (result i32) (call $wait))
        (func (export "ok") (result i32) (i32.const 1))))"));
    EXPECT_TRUE(ma.ok());
    a = *linker.instantiate(*ma);
    linker.defineInstance("a", *a);
    auto mb = Module::compile(test::watToWasm(R"((module
        (import "a" "waiting" (func $waiting (result i32)))
        (import "a" "ok" (func $ok (result i32)))
        (func (export "via_a") (result i32) (call $waiting))
        (func (export "call_ok") (result i32) (call $ok))))"));
    EXPECT_TRUE(mb.ok());
    b = *linker.instantiate(*mb);
  }
};

TEST(Suspend, GuestCallIntoAParkedInstanceTraps) {
  TwoInstances t;
  auto ex = t.a->start("waiting", {});
  ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
  auto r = t.b->call("call_ok", {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap.kind, TrapKind::ReentrantCall);
  Value v = Value::i32(5);
  ASSERT_TRUE(ex->resume(std::span(&v, 1)).ok());
  EXPECT_EQ(ex->run().value().results[0].asI32(), 5u);
  r = t.b->call("call_ok", {});
  ASSERT_TRUE(r.ok() && r->returned());
  EXPECT_EQ(r->results[0].asI32(), 1u);
}

TEST(Suspend, ParkedInAnotherInstanceGuardsBoth) {
  TwoInstances t;
  auto ex = t.b->start("via_a", {}); // B calls A, A's host call suspends
  ASSERT_EQ(ex->run().value().kind, OutcomeKind::Suspended);
  EXPECT_EQ(t.a->call("ok", {}).error().code, ErrorCode::ReentrantCall);
  EXPECT_EQ(t.b->call("call_ok", {}).error().code, ErrorCode::ReentrantCall);
  Value v = Value::i32(9);
  ASSERT_TRUE(ex->resume(std::span(&v, 1)).ok());
  EXPECT_EQ(ex->run().value().results[0].asI32(), 9u);
  EXPECT_TRUE(t.a->call("ok", {}).ok());
}

} // namespace
} // namespace halter
