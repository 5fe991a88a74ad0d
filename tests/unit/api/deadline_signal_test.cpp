// Deadlines delivered on the guest's own thread (exec/thread_alarm.h): the
// signal stops the right call on the right thread, a stale signal never
// stops a later call, nested calls on one thread keep their own deadlines,
// and with the signal off the engine thread alone still stops every guest.
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <poll.h>
#include <pthread.h>
#include <random>
#include <thread>
#include <vector>

namespace halter {
namespace {

using namespace std::chrono_literals;

constexpr const char *kGuest = R"((module
  (import "env" "host" (func $host))
  (func (export "spin") (loop br 0))
  (func (export "host_then_spin") (call $host) (loop br 0))
  (func (export "host_then_return") (result i32) (call $host) (i32.const 7)))
)";

Outcome callWithTimeout(Instance &inst, const char *name, std::chrono::nanoseconds timeout) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = timeout;
  auto r = inst.call(name, {}, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().describe());
  return r.ok() ? *r : Outcome{};
}

struct Guest {
  std::function<void()> on_host = [] {};
  Linker linker;
  std::shared_ptr<Instance> inst;
  Guest() {
    linker.defineFunc("env", "host", FuncType{}, [this](CallContext &, auto, auto) {
      on_host();
      return HostResult::ok();
    });
    inst = test::instantiate(kGuest, linker);
  }
};

TEST(DeadlineSignal, ASpinningGuestIsStoppedAndTheSignalIsOurs) {
  Guest g;
  ASSERT_TRUE(g.inst);
  EXPECT_EQ(callWithTimeout(*g.inst, "spin", 20ms).kind, OutcomeKind::DeadlineExceeded);
  int sig = deadlineSignal();
  ASSERT_GE(sig, SIGRTMIN);
  ASSERT_LE(sig, SIGRTMAX);
  struct sigaction sa {};
  ASSERT_EQ(sigaction(sig, nullptr, &sa), 0);
  EXPECT_NE(sa.sa_flags & SA_SIGINFO, 0);
  EXPECT_NE(sa.sa_flags & SA_RESTART, 0);
}

// Proof that the signal, not the engine thread, reaches the guest's thread:
// a host function blocked in poll(2) there wakes with EINTR at the deadline
// (the engine thread cannot interrupt a wait it does not know of).
TEST(DeadlineSignal, ABlockingHostWaitOnTheGuestThreadWakesAtTheDeadline) {
  Guest g;
  ASSERT_TRUE(g.inst);
  int rc = 0, err = 0;
  Clock::duration waited{};
  g.on_host = [&] {
    auto t0 = Clock::now();
    rc = ::poll(nullptr, 0, 5000);
    err = errno;
    waited = Clock::now() - t0;
  };
  EXPECT_EQ(callWithTimeout(*g.inst, "host_then_spin", 20ms).kind, OutcomeKind::DeadlineExceeded);
  EXPECT_EQ(rc, -1);
  EXPECT_EQ(err, EINTR);
  EXPECT_LT(waited, 4s);
}

// A host function whose wait the deadline cut short and that reports it as
// an error: the outcome is the deadline, not a trap.
TEST(DeadlineSignal, AHostErrorAfterTheDeadlineIsTheDeadline) {
  Linker linker;
  linker.defineFunc("env", "host", FuncType{}, [](CallContext &, auto, auto) {
    if (::poll(nullptr, 0, 5000) < 0 && errno == EINTR) return HostResult::error("interrupted");
    return HostResult::ok();
  });
  auto inst = test::instantiate(kGuest, linker);
  ASSERT_TRUE(inst);
  EXPECT_EQ(callWithTimeout(*inst, "host_then_return", 20ms).kind, OutcomeKind::DeadlineExceeded);
}

// The thread blocks the signal: the engine thread stops the first call, and
// the signal its timer raised stays pending. Unblocked during the next call
// (whose deadline is far away), it must not stop that call. Kernels since
// 6.13 drop the signal of a re-armed timer themselves; on older ones the
// handler's own clock test is what holds.
TEST(DeadlineSignal, AStaleSignalDoesNotStopALaterCall) {
  Guest g;
  ASSERT_TRUE(g.inst);
  callWithTimeout(*g.inst, "spin", 1ms); // the signal is chosen
  int sig = deadlineSignal();
  ASSERT_GT(sig, 0);
  std::thread([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, nullptr), 0);
    EXPECT_EQ(callWithTimeout(*g.inst, "spin", 20ms).kind, OutcomeKind::DeadlineExceeded);
    sigset_t pending;
    sigpending(&pending);
    EXPECT_TRUE(sigismember(&pending, sig)) << "the first call's signal should be pending";
    g.on_host = [&] { pthread_sigmask(SIG_UNBLOCK, &set, nullptr); };
    Outcome r = callWithTimeout(*g.inst, "host_then_return", 10s);
    EXPECT_EQ(r.kind, OutcomeKind::Returned) << outcomeKindName(r.kind);
    sigpending(&pending);
    EXPECT_FALSE(sigismember(&pending, sig));
  }).join();
}

// A host function runs a call on a second instance on the same thread:
// each call keeps its own deadline, and the outer one is re-armed after.
TEST(DeadlineSignal, NestedCallsOnOneThreadKeepTheirOwnDeadlines) {
  Guest inner;
  ASSERT_TRUE(inner.inst);
  Guest outer;
  ASSERT_TRUE(outer.inst);
  Outcome inner_result;
  outer.on_host = [&] { inner_result = callWithTimeout(*inner.inst, "spin", 20ms); };
  Outcome r = callWithTimeout(*outer.inst, "host_then_return", 10s);
  EXPECT_EQ(inner_result.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_EQ(r.kind, OutcomeKind::Returned) << outcomeKindName(r.kind);

  // The inner call returns at once; the outer one spins on to its deadline.
  inner.on_host = [] {};
  outer.on_host = [&] { inner_result = callWithTimeout(*inner.inst, "host_then_return", 10s); };
  auto t0 = Clock::now();
  r = callWithTimeout(*outer.inst, "host_then_spin", 50ms);
  EXPECT_EQ(inner_result.kind, OutcomeKind::Returned);
  EXPECT_EQ(r.kind, OutcomeKind::DeadlineExceeded);
  EXPECT_GE(Clock::now() - t0, 50ms);
}

// Many threads at once, each its own instance and deadline (some none): a
// signal reaches only its own thread's call.
TEST(DeadlineSignal, EachThreadIsStoppedByItsOwnDeadlineOnly) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<Guest>> guests;
  for (int i = 0; i < kThreads; ++i) guests.push_back(std::make_unique<Guest>());
  std::mt19937 rng(20261202);
  std::vector<std::thread> threads;
  std::vector<Outcome> results(kThreads);
  std::vector<std::chrono::milliseconds> timeouts(kThreads);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < kThreads; ++i) {
      ASSERT_TRUE(guests[i]->inst);
      timeouts[i] = std::chrono::milliseconds(5 + rng() % 40);
      // Every other thread returns after a host call that waits past the
      // others' deadlines, under a deadline of its own far away.
      bool long_one = i % 2 == 1;
      guests[i]->on_host = [] { std::this_thread::sleep_for(60ms); };
      threads.emplace_back([&, i, long_one] {
        results[i] = long_one ? callWithTimeout(*guests[i]->inst, "host_then_return", 10s)
                              : callWithTimeout(*guests[i]->inst, "spin", timeouts[i]);
      });
    }
    for (auto &t : threads) t.join();
    threads.clear();
    for (int i = 0; i < kThreads; ++i) {
      OutcomeKind want = i % 2 == 1 ? OutcomeKind::Returned : OutcomeKind::DeadlineExceeded;
      EXPECT_EQ(results[i].kind, want) << "thread " << i << " round " << round;
    }
  }
}

TEST(DeadlineSignal, OffTheEngineThreadAloneStillStopsTheGuest) {
  Guest g;
  ASSERT_TRUE(g.inst);
  useDeadlineSignal(false);
  EXPECT_EQ(deadlineSignal(), 0);
  EXPECT_EQ(callWithTimeout(*g.inst, "spin", 20ms).kind, OutcomeKind::DeadlineExceeded);
  useDeadlineSignal(true);
  EXPECT_EQ(callWithTimeout(*g.inst, "spin", 20ms).kind, OutcomeKind::DeadlineExceeded);
  EXPECT_GT(deadlineSignal(), 0);
}

} // namespace
} // namespace halter
