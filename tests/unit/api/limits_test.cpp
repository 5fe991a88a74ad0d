// Limits that hold (DESIGN §4): every runaway guest in tests/guests/ is
// stopped by fuel, by a deadline and by a cancel from another thread, with
// the right outcome, and its instance then runs a normal call correctly.
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

namespace halter {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> readGuest(const std::string &name) {
  std::ifstream in(std::string(HALTER_TEST_GUEST_DIR) + "/" + name + ".wasm", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const Module> compileGuest(const std::string &name) {
  std::vector<uint8_t> bytes = readGuest(name);
  EXPECT_FALSE(bytes.empty()) << name << ".wasm not built";
  auto m = Module::compile(bytes);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  return m.ok() ? *m : nullptr;
}

struct Host {
  std::atomic<uint64_t> ticks{0};
  Linker linker;
  Host() {
    linker.defineFunc("env", "tick", FuncType{}, [this](CallContext &, auto, auto) {
      ticks++;
      return HostResult::ok();
    });
    // Honours its context: waits until interrupted (or an hour).
    linker.defineFunc("env", "wait", FuncType{}, [](CallContext &ctx, auto, auto) {
      ctx.waitUntil(Clock::now() + 1h);
      return HostResult::ok();
    });
    // Does not: sleeps 300 ms whatever happens.
    linker.defineFunc("env", "sleep", FuncType{}, [](CallContext &, auto, auto) {
      std::this_thread::sleep_for(300ms);
      return HostResult::ok();
    });
  }
};

std::shared_ptr<Instance> instantiate(const Host &host, std::shared_ptr<const Module> module,
                                      const Limits &limits = {}) {
  auto inst = host.linker.instantiate(std::move(module), limits);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().describe());
  return inst.ok() ? *inst : nullptr;
}

void expectHealthy(Instance &inst) {
  Value arg = Value::i32(21);
  auto r = inst.call("ok", std::span(&arg, 1));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_TRUE(r->returned()) << outcomeKindName(r->kind);
  EXPECT_EQ(r->results[0].asI32(), 42u);
}

enum class Stop { Fuel, Deadline, Cancel };

const char *stopName(Stop s) {
  switch (s) {
  case Stop::Fuel:
    return "fuel";
  case Stop::Deadline:
    return "deadline";
  case Stop::Cancel:
    return "cancel";
  }
  return "?";
}

// Calls `name` (no arguments) and stops it with `stop`; checks the outcome
// and that the stop came in bounded time.
Outcome runAndStop(Instance &inst, const std::string &name, Stop stop) {
  CallOptions options;
  options.limits = inst.limits();
  std::thread canceller;
  switch (stop) {
  case Stop::Fuel:
    options.limits->fuel = 2'000'000;
    break;
  case Stop::Deadline:
    options.limits->timeout = 50ms;
    break;
  case Stop::Cancel:
    options.cancel = CancelToken::create();
    canceller = std::thread([token = options.cancel] {
      std::this_thread::sleep_for(30ms);
      token.cancel();
    });
    break;
  }
  Clock::time_point t0 = Clock::now();
  auto r = inst.call(name, {}, options);
  auto elapsed = Clock::now() - t0;
  if (canceller.joinable()) canceller.join();
  EXPECT_TRUE(r.ok()) << r.error().describe();
  if (!r.ok()) return Outcome{};
  OutcomeKind want = stop == Stop::Fuel       ? OutcomeKind::OutOfFuel
                     : stop == Stop::Deadline ? OutcomeKind::DeadlineExceeded
                                              : OutcomeKind::Cancelled;
  EXPECT_EQ(r->kind, want) << name << " stopped by " << stopName(stop) << ": got "
                           << outcomeKindName(r->kind);
  // Not a benchmark: a bound that only a stop that did not work can break.
  EXPECT_LT(elapsed, 2s) << name << " stopped by " << stopName(stop);
  if (stop == Stop::Fuel) {
    EXPECT_GE(r->stats.fuel_used, 2'000'000u - 100'000u);
    EXPECT_LE(r->stats.fuel_used, 2'000'000u);
  }
  EXPECT_GT(r->stats.wall_time.count(), 0);
  return *r;
}

class RunawayTest : public ::testing::TestWithParam<std::tuple<const char *, Stop>> {};

TEST_P(RunawayTest, StopsAndTheInstanceStaysUsable) {
  auto [name, stop] = GetParam();
  Host host;
  // straight_line.wasm is generated (tests/guests/straight_line.cmake).
  std::shared_ptr<const Module> module =
      compileGuest(std::string(name) == "straight_line" ? "straight_line" : "runaway");
  ASSERT_TRUE(module);
  Limits limits;
  limits.max_memory_bytes = 8u << 20;
  auto inst = instantiate(host, module, limits);
  ASSERT_TRUE(inst);
  runAndStop(*inst, name, stop);
  expectHealthy(*inst);
  // And once more: a stopped call leaves nothing behind that stops the next.
  runAndStop(*inst, name, stop);
  expectHealthy(*inst);
}

INSTANTIATE_TEST_SUITE_P(
    Guests, RunawayTest,
    ::testing::Combine(::testing::Values("spin", "recurse_loop", "straight_line", "bulk", "grow",
                                         "host_loop"),
                       ::testing::Values(Stop::Fuel, Stop::Deadline, Stop::Cancel)),
    [](const auto &info) {
      return std::string(std::get<0>(info.param)) + "_" + stopName(std::get<1>(info.param));
    });

TEST(Limits, HostLoopReallyCallsTheHost) {
  Host host;
  auto inst = instantiate(host, compileGuest("runaway"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 10'000;
  auto r = inst->call("host_loop", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::OutOfFuel);
  EXPECT_GT(host.ticks.load(), 1000u);
}

TEST(Limits, GrowStopsAtTheCapAndRecordsIt) {
  Host host;
  Limits limits;
  limits.max_memory_bytes = 4u << 20; // 64 pages
  auto inst = instantiate(host, compileGuest("runaway"), limits);
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = limits;
  options.limits->fuel = 100'000;
  auto r = inst->call("grow", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::OutOfFuel);
  EXPECT_TRUE(r->stats.memory_cap_hit);
  EXPECT_EQ(r->stats.peak_memory_bytes, 4u << 20);
  auto pages = inst->call("pages", {});
  ASSERT_TRUE(pages.ok());
  EXPECT_EQ(pages->results[0].asI32(), 64u);
}

TEST(Limits, PerCallMemoryCapIsLowerThanTheInstances) {
  Host host;
  Limits limits;
  limits.max_memory_bytes = 4u << 20;
  auto inst = instantiate(host, compileGuest("runaway"), limits);
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = limits;
  options.limits->max_memory_bytes = 2u << 20;
  options.limits->fuel = 100'000;
  auto r = inst->call("grow", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stats.memory_cap_hit);
  EXPECT_EQ(inst->call("pages", {})->results[0].asI32(), 32u);
}

TEST(Limits, NoCapHitWithoutCap) {
  Host host;
  auto inst = instantiate(host, compileGuest("runaway"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 1'000;
  auto r = inst->call("grow", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::OutOfFuel);
  EXPECT_FALSE(r->stats.memory_cap_hit);
}

TEST(Limits, InstantiationBeyondCapsFails) {
  Host host;
  auto big_memory = Module::compile(test::watToWasm("(module (memory 100))"));
  ASSERT_TRUE(big_memory.ok());
  Limits limits;
  limits.max_memory_bytes = 1u << 20;
  auto inst = host.linker.instantiate(*big_memory, limits);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::ResourceLimit);
  EXPECT_NE(inst.error().message.find("100 pages"), std::string::npos) << inst.error().message;

  auto big_table = Module::compile(test::watToWasm("(module (table 1000 funcref))"));
  ASSERT_TRUE(big_table.ok());
  limits = Limits{};
  limits.max_table_elements = 100;
  inst = host.linker.instantiate(*big_table, limits);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::ResourceLimit);
}

TEST(Limits, TableGrowPastTheCapIsRefusedAndRecorded) {
  Host host;
  auto m = Module::compile(test::watToWasm(R"((module (table 1 funcref)
      (func (export "grow") (param i32) (result i32)
        (table.grow 0 (ref.null func) (local.get 0)))))"));
  ASSERT_TRUE(m.ok());
  Limits limits;
  limits.max_table_elements = 10;
  auto inst = instantiate(host, *m, limits);
  ASSERT_TRUE(inst);
  Value nine = Value::i32(9), one = Value::i32(1);
  auto r = inst->call("grow", std::span(&nine, 1));
  EXPECT_EQ(r->results[0].asI32(), 1u);
  EXPECT_FALSE(r->stats.table_cap_hit);
  r = inst->call("grow", std::span(&one, 1));
  EXPECT_EQ(r->results[0].asI32(), uint32_t(-1));
  EXPECT_TRUE(r->stats.table_cap_hit);
}

TEST(Limits, StackCapsTrapWithoutNativeOverflow) {
  Host host;
  auto module = compileGuest("runaway");
  // Defaults: endless recursion ends at the default depth.
  auto inst = instantiate(host, module);
  ASSERT_TRUE(inst);
  auto r = inst->call("recurse_forever", {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap.kind, TrapKind::StackExhausted);
  expectHealthy(*inst);

  // A million frames requested: recursion that deep works, endless
  // recursion still ends in a trap, never a native stack overflow.
  Limits deep;
  deep.max_call_depth = 1'000'000;
  deep.max_stack_bytes = 1u << 30;
  inst = instantiate(host, module, deep);
  ASSERT_TRUE(inst);
  Value n = Value::i32(900'000);
  r = inst->call("deep", std::span(&n, 1));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->returned()) << outcomeKindName(r->kind);
  EXPECT_EQ(r->results[0].asI32(), 900'000u);
  r = inst->call("recurse_forever", {});
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap.kind, TrapKind::StackExhausted);
  expectHealthy(*inst);

  // A small value stack is exhausted before the depth cap.
  CallOptions small;
  small.limits = deep;
  small.limits->max_stack_bytes = 64u << 10;
  r = inst->call("deep", std::span(&n, 1), small);
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap.kind, TrapKind::StackExhausted);
  expectHealthy(*inst);
}

// Calls `name` of the waiter guest under `timeout`; the elapsed time in *elapsed.
Outcome callWaiter(Instance &inst, const char *name, Clock::duration timeout,
                   Clock::duration *elapsed) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = timeout;
  Clock::time_point t0 = Clock::now();
  auto r = inst.call(name, {}, options);
  *elapsed = Clock::now() - t0;
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : Outcome{};
}

TEST(Limits, DeadlineWhileParkedInAHostFunctionThatHonoursItsContext) {
  Host host;
  auto inst = instantiate(host, compileGuest("waiter"));
  ASSERT_TRUE(inst);
  Clock::duration elapsed;
  Outcome r = callWaiter(*inst, "call_wait", 100ms, &elapsed);
  EXPECT_EQ(r.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_GE(elapsed, 100ms);
  EXPECT_LT(elapsed, 2s);
  auto ok = inst->call("ok", {});
  EXPECT_EQ(ok->results[0].asI32(), 7u);
}

TEST(Limits, DeadlineDuringAHostCallEndsTheExecutionWhenItReturns) {
  Host host;
  auto inst = instantiate(host, compileGuest("waiter"));
  ASSERT_TRUE(inst);
  Clock::duration elapsed;
  Outcome r = callWaiter(*inst, "call_sleep", 50ms, &elapsed);
  EXPECT_EQ(r.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_GE(elapsed, 300ms); // the host function was not interrupted
  EXPECT_TRUE(r.results.empty());
}

TEST(Limits, CancelWhileParkedInAHostFunction) {
  Host host;
  auto inst = instantiate(host, compileGuest("waiter"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.cancel = CancelToken::create();
  std::thread canceller([token = options.cancel] {
    std::this_thread::sleep_for(50ms);
    token.cancel();
  });
  auto r = inst->call("call_wait", {}, options);
  canceller.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::Cancelled);
}

TEST(Limits, CancelledTokenStopsTheNextCallAtItsFirstCheckPoint) {
  Host host;
  auto inst = instantiate(host, compileGuest("runaway"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.cancel = CancelToken::create();
  options.cancel.cancel();
  auto r = inst->call("spin", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::Cancelled);
  EXPECT_TRUE(options.cancel.cancelled());
  expectHealthy(*inst); // without the token
}

TEST(Limits, DefaultsNeverExpire) {
  Limits limits;
  EXPECT_FALSE(limits.fuel.has_value());
  EXPECT_FALSE(limits.timeout.has_value());
  EXPECT_FALSE(limits.deadline.has_value());
  Host host;
  auto inst = instantiate(host, compileGuest("kernel"));
  ASSERT_TRUE(inst);
  Value n = Value::i32(10);
  auto r = inst->call("run", std::span(&n, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->returned());
  EXPECT_EQ(r->stats.fuel_used, 0u); // unmetered
}

TEST(Limits, PastDeadlineEndsBeforeAnyGuestCode) {
  Host host;
  auto inst = instantiate(host, compileGuest("runaway"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->deadline = Clock::now() - 1s;
  auto r = inst->call("host_loop", {}, options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, OutcomeKind::DeadlineExceeded);
  EXPECT_EQ(host.ticks.load(), 0u);
}

// Determinism (DESIGN §3.4): fuel used is a function of the module and its
// inputs only, and feeding fuel in chunks changes nothing.
uint64_t meteredRun(Instance &inst, uint32_t n, uint32_t *result) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = uint64_t{1} << 40;
  Value arg = Value::i32(n);
  auto r = inst.call("run", std::span(&arg, 1), options);
  EXPECT_TRUE(r.ok() && r->returned());
  *result = r->results[0].asI32();
  return r->stats.fuel_used;
}

TEST(Fuel, SameFuelEveryRun) {
  Host host;
  auto module = compileGuest("kernel");
  uint32_t first_result = 0;
  uint64_t first = 0;
  for (int i = 0; i < 5; ++i) {
    auto inst = instantiate(host, module); // fresh memory: the same inputs
    ASSERT_TRUE(inst);
    uint32_t result = 0;
    uint64_t used = meteredRun(*inst, 100, &result);
    if (i == 0) {
      first = used;
      first_result = result;
      EXPECT_GT(used, 10'000u);
    }
    EXPECT_EQ(used, first) << "run " << i;
    EXPECT_EQ(result, first_result) << "run " << i;
  }
  // More work, more fuel.
  auto inst = instantiate(host, module);
  uint32_t result = 0;
  EXPECT_GT(meteredRun(*inst, 101, &result), first);
}

TEST(Fuel, ChunksGiveTheSameResultAndTotal) {
  Host host;
  auto module = compileGuest("kernel");
  auto reference = instantiate(host, module);
  ASSERT_TRUE(reference);
  uint32_t want = 0;
  uint64_t total = meteredRun(*reference, 40, &want);

  for (uint64_t chunk : {1u, 7u, 1000u}) {
    auto inst = instantiate(host, module);
    ASSERT_TRUE(inst);
    CallOptions options;
    options.limits = Limits{};
    options.limits->fuel = chunk;
    Value arg = Value::i32(40);
    auto ex = inst->start("run", std::span(&arg, 1), options);
    ASSERT_TRUE(ex.ok()) << ex.error().describe();
    Outcome out = ex->run().value();
    uint64_t stops = 0;
    while (out.kind == OutcomeKind::OutOfFuel) {
      ASSERT_TRUE(ex->paused());
      ++stops;
      ex->addFuel(chunk);
      out = ex->run().value();
    }
    ASSERT_TRUE(out.returned()) << outcomeKindName(out.kind);
    EXPECT_TRUE(ex->finished());
    EXPECT_EQ(out.results[0].asI32(), want) << "chunk " << chunk;
    EXPECT_EQ(out.stats.fuel_used, total) << "chunk " << chunk;
    EXPECT_GE(stops, total / chunk - 1) << "chunk " << chunk;
  }
}

TEST(Fuel, PausedExecutionRefusesReentryUntilDone) {
  Host host;
  auto inst = instantiate(host, compileGuest("kernel"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 100;
  Value arg = Value::i32(5);
  auto ex = inst->start("run", std::span(&arg, 1), options);
  ASSERT_TRUE(ex.ok());
  Outcome out = ex->run().value();
  ASSERT_EQ(out.kind, OutcomeKind::OutOfFuel);

  auto refused = inst->call("run", std::span(&arg, 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ReentrantCall);

  ex->addFuel(uint64_t{1} << 40);
  out = ex->run().value();
  ASSERT_TRUE(out.returned());
  uint32_t resumed_result = out.results[0].asI32();

  // Done: the instance takes calls again (the memory has grown once more,
  // so compare with a fresh instance's second call).
  auto again = inst->call("run", std::span(&arg, 1));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->returned());
  auto fresh = instantiate(host, compileGuest("kernel"));
  EXPECT_EQ(fresh->call("run", std::span(&arg, 1))->results[0].asI32(), resumed_result);
}

TEST(Fuel, DroppingAPausedExecutionFreesTheInstance) {
  Host host;
  auto inst = instantiate(host, compileGuest("kernel"));
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 100;
  Value arg = Value::i32(5);
  {
    auto ex = inst->start("run", std::span(&arg, 1), options);
    ASSERT_TRUE(ex.ok());
    ASSERT_EQ(ex->run().value().kind, OutcomeKind::OutOfFuel);
  }
  auto r = inst->call("run", std::span(&arg, 1));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->returned());
}

TEST(Fuel, BulkOperationsChargeByLength) {
  Host host;
  auto m = Module::compile(test::watToWasm(R"((module (memory 16)
      (func (export "fill") (param i32)
        (memory.fill (i32.const 0) (i32.const 1) (local.get 0)))))"));
  ASSERT_TRUE(m.ok());
  auto inst = instantiate(host, *m);
  ASSERT_TRUE(inst);
  auto fuelFor = [&](uint32_t n) {
    CallOptions options;
    options.limits = Limits{};
    options.limits->fuel = 1'000'000;
    Value arg = Value::i32(n);
    auto r = inst->call("fill", std::span(&arg, 1), options);
    EXPECT_TRUE(r.ok() && r->returned());
    return r->stats.fuel_used;
  };
  uint64_t base = fuelFor(0);
  EXPECT_EQ(fuelFor(64 * 1000), base + 1000);
  EXPECT_EQ(fuelFor(64 * 10000), base + 10000);
}

TEST(Fuel, StartFunctionRunsUnderTheInstanceLimits) {
  Host host;
  auto m = Module::compile(test::watToWasm(R"((module
      (func $start (loop $l (br $l)))
      (start $start)))"));
  ASSERT_TRUE(m.ok());
  Limits limits;
  limits.fuel = 10'000;
  auto inst = host.linker.instantiate(*m, limits);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::OutOfFuel);
  EXPECT_NE(inst.error().message.find("out of fuel"), std::string::npos) << inst.error().message;
}

} // namespace
} // namespace halter

namespace halter {
namespace {

TEST(Limits, ExecutionCancelFromAnotherThread) {
  Host host;
  auto inst = instantiate(host, compileGuest("runaway"));
  ASSERT_TRUE(inst);
  auto ex = inst->start("spin", {});
  ASSERT_TRUE(ex.ok());
  std::thread canceller([&ex] {
    std::this_thread::sleep_for(30ms);
    ex->cancel();
  });
  Outcome out = ex->run().value();
  canceller.join();
  EXPECT_EQ(out.kind, OutcomeKind::Cancelled);
  ex->cancel(); // after the end: harmless
  expectHealthy(*inst);
}

} // namespace
} // namespace halter
