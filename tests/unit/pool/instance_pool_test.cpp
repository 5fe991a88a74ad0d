// InstancePool (include/halter/pool.h): reuse and reset, each recycle
// reason, prewarming, the init hook, limits on instances, leases that
// outlive their pool, and many threads leasing at once with random traps,
// after which the statistics must add up.
#include "support/wat.h"

#include "halter/pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

namespace halter {
namespace {

// A guest with state in memory, a global and a table, a way to trap, to
// grow, to spin (for fuel), to park (through a suspending host call), and
// an init export that counts its calls through the host.
constexpr const char *kGuest = R"((module
  (import "host" "inits" (func $inits))
  (import "host" "park" (func $park))
  (memory (export "mem") 1 200)
  (global $g (export "g") (mut i32) (i32.const 7))
  (global $ready (export "ready") (mut i32) (i32.const 0))
  (data (i32.const 0) "fresh")
  (func (export "init") (call $inits) (global.set $ready (i32.const 1)))
  (func (export "dirty") (param i32)
    (global.set $g (local.get 0))
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 40000) (local.get 0)))
  (func (export "peek") (result i32) (i32.load (i32.const 0)))
  (func (export "trap") unreachable)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "spin") (loop br 0))
  (func (export "park") (call $park))
  (func (export "work") (param $x i32) (result i32)
    (if (i32.eqz (i32.rem_u (local.get $x) (i32.const 7))) (then unreachable))
    (i32.store (i32.rem_u (i32.mul (local.get $x) (i32.const 4099)) (i32.const 60000))
               (local.get $x))
    (if (i32.eqz (i32.rem_u (local.get $x) (i32.const 13)))
      (then (drop (memory.grow (i32.const 1)))))
    (global.set $g (local.get $x))
    (global.get $g)))
)";

std::atomic<int> init_calls{0};

std::shared_ptr<const Module> guest() {
  static std::shared_ptr<const Module> m = [] {
    auto r = Module::compile(test::watToWasm(kGuest));
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? *r : nullptr;
  }();
  return m;
}

Linker guestLinker() {
  Linker l;
  l.defineFunc("host", "inits", FuncType{{}, {}},
               [](CallContext &, std::span<const Value>, std::span<Value>) {
                 init_calls++;
                 return HostResult::ok();
               });
  l.defineFunc("host", "park", FuncType{{}, {}},
               [](CallContext &, std::span<const Value>, std::span<Value>) {
                 return HostResult::suspend();
               });
  return l;
}

std::unique_ptr<InstancePool> makePool(PoolOptions options = {}) {
  auto p = InstancePool::create(guest(), guestLinker(), std::move(options));
  EXPECT_TRUE(p.ok()) << p.error().describe();
  return p.ok() ? std::move(*p) : nullptr;
}

int32_t call(Lease &lease, const char *name, std::vector<Value> args = {}) {
  auto r = lease->call(name, args);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  if (!r.ok() || !r->returned() || r->results.empty()) return -1;
  return int32_t(r->results[0].asI32());
}

// Every instance the pool made is leased, warm or dropped; every lease was
// served by a new instance or a warm one; every return was kept or dropped.
void expectBalanced(const PoolStats &s) {
  EXPECT_EQ(s.created, s.leased + s.warm + s.droppedTotal());
  EXPECT_EQ(s.leases, s.reused + (s.created - s.prewarmed));
  EXPECT_EQ(s.returned, s.leases - s.leased);
  uint64_t dropped_on_return = s.droppedTotal() - s.droppedFor(DropReason::Idle);
  EXPECT_LE(dropped_on_return, s.returned);
}

TEST(InstancePool, ReturnsTheSameInstanceResetToFresh) {
  auto pool = makePool();
  ASSERT_TRUE(pool);
  const Instance *first = nullptr;
  {
    auto lease = pool->lease();
    ASSERT_TRUE(lease.ok());
    first = &lease->instance();
    EXPECT_EQ(lease->uses(), 1u);
    ASSERT_TRUE((*lease)->call("dirty", std::vector<Value>{Value::i32(99)}).ok());
    EXPECT_EQ(call(*lease, "peek"), 99);
  }
  auto again = pool->lease();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&again->instance(), first);
  EXPECT_EQ(again->uses(), 2u);
  EXPECT_EQ((*again)->getGlobal("g")->asI32(), 7u);
  EXPECT_EQ(call(*again, "peek"), int32_t(0x73657266)); // "fres"
  PoolStats s = pool->stats();
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(s.leases, 2u);
  EXPECT_EQ(s.reused, 1u);
  EXPECT_EQ(s.resets, 1u);
  EXPECT_EQ(s.leased, 1u);
  expectBalanced(s);
}

// One lease that ends the way `finish` makes it, under `options`; the
// reason the pool then gives for dropping the instance (or none).
std::optional<DropReason> dropAfter(PoolOptions options,
                                    const std::function<void(Lease &)> &finish) {
  auto pool = makePool(std::move(options));
  if (!pool) return std::nullopt;
  {
    auto lease = pool->lease();
    EXPECT_TRUE(lease.ok());
    if (!lease.ok()) return std::nullopt;
    finish(*lease);
  }
  PoolStats s = pool->stats();
  expectBalanced(s);
  for (size_t r = 0; r < kDropReasons; ++r) {
    if (s.dropped[r] != 0) {
      EXPECT_EQ(s.dropped[r], 1u);
      EXPECT_EQ(s.warm, 0u);
      return DropReason(r);
    }
  }
  EXPECT_EQ(s.warm, 1u);
  return std::nullopt;
}

TEST(InstancePool, EachRecycleReason) {
  auto nothing = [](Lease &) {};
  EXPECT_EQ(dropAfter({}, nothing), std::nullopt);

  PoolOptions once;
  once.recycle.max_uses = 1;
  EXPECT_EQ(dropAfter(once, nothing), DropReason::MaxUses);

  auto trap = [](Lease &l) { EXPECT_TRUE(l->call("trap", {})->trapped()); };
  EXPECT_EQ(dropAfter({}, trap), DropReason::Trapped);
  PoolOptions forgiving;
  forgiving.recycle.drop_after_trap = false;
  EXPECT_EQ(dropAfter(forgiving, trap), std::nullopt);

  auto out_of_fuel = [](Lease &l) {
    CallOptions o;
    o.limits = Limits{};
    o.limits->fuel = 1000;
    EXPECT_EQ(l->call("spin", {}, o)->kind, OutcomeKind::OutOfFuel);
  };
  EXPECT_EQ(dropAfter({}, out_of_fuel), std::nullopt); // not a trap
  PoolOptions strict;
  strict.recycle.drop_after_limit_stop = true;
  EXPECT_EQ(dropAfter(strict, out_of_fuel), DropReason::LimitStopped);

  PoolOptions small;
  small.recycle.max_memory_bytes = 4 * 65536;
  auto grow = [](Lease &l) { EXPECT_EQ(call(l, "grow", {Value::i32(4)}), 1); };
  EXPECT_EQ(dropAfter(small, grow), DropReason::MemoryHighWater);
  auto grow_less = [](Lease &l) { EXPECT_EQ(call(l, "grow", {Value::i32(3)}), 1); };
  EXPECT_EQ(dropAfter(small, grow_less), std::nullopt);

  EXPECT_EQ(dropAfter({}, [](Lease &l) { l.discard(); }), DropReason::Discarded);

  // A parked execution cannot be reset: dropped. The execution outlives
  // the lease and the instance stays valid for it.
  std::optional<Execution> parked;
  EXPECT_EQ(dropAfter({},
                      [&](Lease &l) {
                        auto ex = l->start("park", {});
                        ASSERT_TRUE(ex.ok());
                        EXPECT_EQ(ex->run()->kind, OutcomeKind::Suspended);
                        parked.emplace(std::move(*ex));
                      }),
            DropReason::ResetFailed);
  ASSERT_TRUE(parked->resume({}).ok());
  EXPECT_TRUE(parked->run()->returned());
}

TEST(InstancePool, FullAndIdleAndInitFailures) {
  PoolOptions one_warm;
  one_warm.max_warm = 1;
  auto pool = makePool(one_warm);
  ASSERT_TRUE(pool);
  {
    auto a = pool->lease();
    auto b = pool->lease();
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(&a->instance(), &b->instance());
  }
  PoolStats s = pool->stats();
  EXPECT_EQ(s.warm, 1u);
  EXPECT_EQ(s.droppedFor(DropReason::PoolFull), 1u);
  EXPECT_EQ(s.peak_instances, 2u);
  expectBalanced(s);

  PoolOptions idle;
  idle.recycle.max_idle = std::chrono::milliseconds(20);
  auto idle_pool = makePool(idle);
  ASSERT_TRUE(idle_pool);
  ASSERT_TRUE(idle_pool->prewarm(3).ok());
  EXPECT_EQ(idle_pool->trimIdle(), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  EXPECT_EQ(idle_pool->trimIdle(), 3u);
  s = idle_pool->stats();
  EXPECT_EQ(s.droppedFor(DropReason::Idle), 3u);
  EXPECT_EQ(s.warm, 0u);
  expectBalanced(s);

  // An init export that fails after a reset: fuel too small for it.
  PoolOptions starving;
  starving.init_export = "init";
  auto starving_pool = makePool(starving);
  ASSERT_TRUE(starving_pool);
  {
    auto lease = starving_pool->lease();
    ASSERT_TRUE(lease.ok());
    Limits none;
    none.fuel = 0;
    (*lease)->setLimits(none); // limits stay across reset: init now runs out
  }
  s = starving_pool->stats();
  EXPECT_EQ(s.droppedFor(DropReason::InitFailed), 1u);
  expectBalanced(s);
}

PoolOptions initExport(std::string name) {
  PoolOptions o;
  o.init_export = std::move(name);
  return o;
}

TEST(InstancePool, PrewarmAndTheInitHook) {
  PoolOptions options;
  options.init_export = "init";
  auto pool = makePool(options);
  ASSERT_TRUE(pool);
  int before = init_calls;
  ASSERT_TRUE(pool->prewarm(4).ok());
  EXPECT_EQ(init_calls - before, 4);
  PoolStats s = pool->stats();
  EXPECT_EQ(s.created, 4u);
  EXPECT_EQ(s.prewarmed, 4u);
  EXPECT_EQ(s.warm, 4u);
  for (int i = 0; i < 10; ++i) {
    auto lease = pool->lease();
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->getGlobal("ready")->asI32(), 1u); // init ran, after the reset too
  }
  EXPECT_EQ(init_calls - before, 4 + 10); // once per reset
  s = pool->stats();
  EXPECT_EQ(s.created, 4u);
  EXPECT_EQ(s.reused, 10u);
  expectBalanced(s);

  auto bad = InstancePool::create(guest(), guestLinker(), initExport("nope"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  auto with_params = InstancePool::create(guest(), guestLinker(), initExport("dirty"));
  ASSERT_FALSE(with_params.ok());
  EXPECT_NE(with_params.error().message.find("parameters"), std::string::npos);
  EXPECT_EQ(InstancePool::create(nullptr, Linker()).error().code, ErrorCode::InvalidArgument);
}

TEST(InstancePool, MaxInstancesAndInstantiationErrors) {
  PoolOptions two;
  two.max_instances = 2;
  auto pool = makePool(two);
  ASSERT_TRUE(pool);
  auto a = pool->lease();
  auto b = pool->lease();
  auto c = pool->lease();
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::ResourceLimit);
  ASSERT_TRUE(a->release().ok());
  EXPECT_TRUE(pool->lease().ok()); // a's instance, warm again
  EXPECT_EQ(pool->stats().failed_leases, 1u);

  // A linker without the imports: every lease fails, nothing is counted as made.
  auto broken = InstancePool::create(guest(), Linker());
  ASSERT_TRUE(broken.ok());
  auto lease = (*broken)->lease();
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::UnknownImport);
  PoolStats s = (*broken)->stats();
  EXPECT_EQ(s.failed_leases, 1u);
  EXPECT_EQ(s.created, 0u);
  expectBalanced(s);
}

TEST(InstancePool, LeasesMoveAndEmptyLeasesSayNo) {
  auto pool = makePool();
  ASSERT_TRUE(pool);
  Lease empty;
  EXPECT_FALSE(empty);
  EXPECT_EQ(empty.release().error().code, ErrorCode::InvalidArgument);
  auto lease = pool->lease();
  ASSERT_TRUE(lease.ok());
  Lease moved = std::move(*lease);
  EXPECT_FALSE(*lease);
  EXPECT_TRUE(moved);
  auto second = pool->lease();
  ASSERT_TRUE(second.ok());
  Lease other = std::move(*second);
  other = std::move(moved); // other's first instance goes back
  EXPECT_EQ(pool->stats().returned, 1u);
  ASSERT_TRUE(other.release().ok());
  EXPECT_EQ(other.release().error().code, ErrorCode::InvalidArgument); // once
  PoolStats s = pool->stats();
  EXPECT_EQ(s.returned, 2u);
  EXPECT_EQ(s.leased, 0u);
  expectBalanced(s);
}

TEST(InstancePool, ALeaseMayOutliveItsPool) {
  auto pool = makePool();
  ASSERT_TRUE(pool);
  auto kept = pool->lease();
  auto dropped_by_destructor = pool->lease();
  ASSERT_TRUE(kept.ok() && dropped_by_destructor.ok());
  ASSERT_TRUE(pool->prewarm(2).ok());
  pool.reset();
  // The instance is the lease's until it ends.
  ASSERT_TRUE((*kept)->call("dirty", std::vector<Value>{Value::i32(5)}).ok());
  EXPECT_EQ(call(*kept, "peek"), 5);
  auto r = kept->release();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::PoolClosed);
  EXPECT_FALSE(*kept);
  // dropped_by_destructor is freed by its destructor, without a pool.
}

// Threads lease, run a guest call that traps one time in seven, and give
// back, at random; the counts the threads keep match the pool's.
// A thread gets back the warm instance it returned itself, even when
// another thread returned one after it (DESIGN §6: per worker thread).
TEST(InstancePool, AThreadGetsBackTheInstanceItReturned) {
  auto pool = makePool();
  ASSERT_TRUE(pool);
  auto mine = pool->lease();
  ASSERT_TRUE(mine.ok());
  const Instance *main_instance = &mine->instance();
  const Instance *other_instance = nullptr;
  std::atomic<int> step{0};
  std::thread other([&] {
    {
      auto lease = pool->lease(); // a second instance: the first is out
      EXPECT_TRUE(lease.ok());
      if (lease.ok()) other_instance = &lease->instance();
    } // back: warm = [other's]
    step = 1;
    while (step != 2) std::this_thread::yield();
    // warm = [other's, main's]: the newest is main's, but this thread's
    // own comes first.
    auto again = pool->lease();
    EXPECT_TRUE(again.ok());
    EXPECT_EQ(again.ok() ? &again->instance() : nullptr, other_instance);
    step = 3;
  });
  while (step != 1) std::this_thread::yield();
  EXPECT_TRUE(mine->release().ok());
  step = 2;
  while (step != 3) std::this_thread::yield();
  other.join();
  auto again = pool->lease();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&again->instance(), main_instance);
  EXPECT_NE(main_instance, other_instance);
  EXPECT_EQ(pool->stats().created, 2u);
}

TEST(InstancePool, ThreadsLeaseAtOnceAndTheStatisticsAddUp) {
  constexpr int kThreads = 3;
  constexpr int kLeasesEach = 100000;
  PoolOptions options;
  options.max_warm = 4;
  options.recycle.max_uses = 500;
  options.recycle.max_memory_bytes = 65536; // "work" grows one time in 13
  auto pool = makePool(options);
  ASSERT_TRUE(pool);
  ASSERT_TRUE(pool->prewarm(2).ok());
  std::atomic<uint64_t> traps{0}, trapped_kept{0}, discards{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      for (int i = 0; i < kLeasesEach; ++i) {
        auto lease = pool->lease();
        if (!lease.ok()) {
          failures++;
          continue;
        }
        uint32_t x = rng();
        auto r = (*lease)->call("work", std::vector<Value>{Value::i32(x % 100000)});
        bool trapped = r.ok() && r->trapped();
        if (!r.ok() || (!trapped && (!r->returned() || r->results[0].asI32() != x % 100000)))
          failures++;
        traps += trapped;
        if (rng() % 1000 == 0) {
          lease->discard();
          discards++;
        } else {
          trapped_kept += trapped;
        }
      }
    });
  }
  for (std::thread &th : threads) th.join();
  EXPECT_EQ(failures, 0u);
  PoolStats s = pool->stats();
  EXPECT_EQ(s.leases, uint64_t(kThreads) * kLeasesEach);
  EXPECT_EQ(s.returned, s.leases);
  EXPECT_EQ(s.leased, 0u);
  // Discard is checked first: a discarded lease that trapped counts as Discarded.
  EXPECT_EQ(s.droppedFor(DropReason::Trapped), trapped_kept.load());
  EXPECT_EQ(s.droppedFor(DropReason::Discarded), discards.load());
  EXPECT_GT(traps, uint64_t(kThreads) * kLeasesEach / 8);
  EXPECT_GT(s.droppedFor(DropReason::MemoryHighWater), 0u);
  EXPECT_GT(s.resets, 0u);
  EXPECT_LE(s.warm, options.max_warm);
  EXPECT_LE(s.peak_instances, uint64_t(kThreads) + options.max_warm);
  EXPECT_EQ(s.peak_memory_bytes, 2u * 65536);
  expectBalanced(s);
  EXPECT_EQ(s.returned, s.resets + s.droppedTotal() - s.droppedFor(DropReason::Idle));
}

} // namespace
} // namespace halter
