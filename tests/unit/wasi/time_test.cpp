// Clocks, sleeping, deterministic mode, and waits that end at the deadline
// or on cancellation.
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <thread>
#include <unistd.h>

namespace halter {
namespace {

using namespace std::chrono_literals;
using test::runGuest;

CallOptions withTimeout(std::chrono::nanoseconds timeout) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = timeout;
  return options;
}

TEST(WasiTime, SleepWaitsForRealTime) {
  WasiConfig config;
  config.args = {"sleep", "50"};
  auto start = Clock::now();
  auto run = runGuest("sleep", config);
  EXPECT_GE(Clock::now() - start, 50ms);
  EXPECT_EQ(run.out, "sleeping 50 ms\nslept enough\n");
}

TEST(WasiTime, SleepPastTheDeadlineIsStoppedOnTime) {
  WasiConfig config;
  config.args = {"sleep", "10000"};
  auto start = Clock::now();
  auto run = runGuest("sleep", config, withTimeout(200ms));
  auto took = Clock::now() - start;
  EXPECT_EQ(run.outcome.kind, OutcomeKind::DeadlineExceeded) << outcomeKindName(run.outcome.kind);
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 1s) << "the sleep must end at the deadline, not at its own end";
  EXPECT_EQ(run.out, "sleeping 10000 ms\n");
}

TEST(WasiTime, BlockedStdinReadIsStoppedByTheDeadline) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::hostFd(fds[0]); // nobody ever writes
  auto start = Clock::now();
  auto run = runGuest("cat", config, withTimeout(200ms));
  auto took = Clock::now() - start;
  EXPECT_EQ(run.outcome.kind, OutcomeKind::DeadlineExceeded) << outcomeKindName(run.outcome.kind);
  EXPECT_LT(took, 1s);
  close(fds[0]);
  close(fds[1]);
}

TEST(WasiTime, BlockedStdinReadIsCancelled) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::hostFd(fds[0]);
  CallOptions options;
  options.cancel = CancelToken::create();
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    options.cancel.cancel();
  });
  auto start = Clock::now();
  auto run = runGuest("cat", config, options);
  canceller.join();
  EXPECT_EQ(run.outcome.kind, OutcomeKind::Cancelled) << outcomeKindName(run.outcome.kind);
  EXPECT_LT(Clock::now() - start, 1s);
  close(fds[0]);
  close(fds[1]);
}

TEST(WasiTime, StdinFromAPipeIsReadAsItArrives) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::hostFd(fds[0]);
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(20ms);
      std::string line = "chunk " + std::to_string(i) + "\n";
      ASSERT_EQ(write(fds[1], line.data(), line.size()), ssize_t(line.size()));
    }
    close(fds[1]);
  });
  auto run = runGuest("cat", config, withTimeout(10s));
  writer.join();
  close(fds[0]);
  EXPECT_EQ(run.outcome.kind, OutcomeKind::Returned);
  EXPECT_EQ(run.out, "chunk 0\nchunk 1\nchunk 2\n");
}

WasiConfig deterministicEnv(uint64_t seed) {
  WasiConfig config;
  config.args = {"env", "x"};
  config.env = {"K=V"};
  config.deterministic = true;
  config.seed = seed;
  return config;
}

TEST(WasiTime, DeterministicModeRepeatsByteForByte) {
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 1'000'000'000;
  auto a = runGuest("env", deterministicEnv(7), options);
  auto b = runGuest("env", deterministicEnv(7), options);
  ASSERT_FALSE(a.out.empty());
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.outcome.stats.fuel_used, b.outcome.stats.fuel_used);
  // The clocks move (a program waiting for time to pass must finish) ...
  EXPECT_NE(a.out.find("time: 1700000000.000000000 0.001000000\n"
                       "time: 1700000000.002000000 0.003000000\n"),
            std::string::npos)
      << a.out;
  // ... and the seed is what decides the random bytes.
  auto c = runGuest("env", deterministicEnv(8), options);
  EXPECT_NE(a.out, c.out);
  auto line = [](const std::string &s) { return s.substr(s.find("random:")); };
  EXPECT_NE(line(a.out), line(c.out));
}

TEST(WasiTime, RealModeDiffersBetweenRuns) {
  WasiConfig config;
  config.args = {"env"};
  auto a = runGuest("env", config);
  auto b = runGuest("env", config);
  EXPECT_NE(a.out, b.out) << "real clocks and random bytes";
}

TEST(WasiTime, DeterministicSleepDoesNotWait) {
  WasiConfig config;
  config.args = {"sleep", "100000"};
  config.deterministic = true;
  auto start = Clock::now();
  auto run = runGuest("sleep", config, withTimeout(5s));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(run.out, "sleeping 100000 ms\nslept enough\n");
}

} // namespace
} // namespace halter

namespace halter {
namespace {

TEST(WasiTime, WriteToAFullPipeIsStoppedByTheDeadline) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  WasiConfig config;
  config.stdin_stream = WasiStdio::buffer(std::string(1 << 20, 'x')); // far more than a pipe holds
  config.stdout_stream = WasiStdio::hostFd(fds[1]);                   // nobody reads
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = std::chrono::milliseconds(200);
  auto start = Clock::now();
  auto run = test::runGuest("cat", config, options);
  EXPECT_EQ(run.outcome.kind, OutcomeKind::DeadlineExceeded) << outcomeKindName(run.outcome.kind);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  close(fds[0]);
  close(fds[1]);
}

} // namespace
} // namespace halter
