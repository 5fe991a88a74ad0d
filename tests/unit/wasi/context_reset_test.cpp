// WasiContext::reset: a pooled instance linked to one context runs, after
// the instance's reset and the context's, as on a fresh WASI.
#include "support/wat.h"

#include "halter/pool.h"
#include "halter/wasi.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

// Copies up to 64 bytes of stdin to stdout, then closes stdout: a second
// run on the same descriptor table would trap on the closed fd 1.
const char *kEchoThenClose = R"((module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\40\00\00\00\40\00\00\00")
  (func (export "_start")
    (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
    (i32.store (i32.const 4) (i32.load (i32.const 16)))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
    (if (call $close (i32.const 1)) (then unreachable))
    (call $exit (i32.load (i32.const 16)))))
)";

struct Fixture {
  std::shared_ptr<WasiContext> context;
  std::unique_ptr<InstancePool> pool;
};

WasiConfig withStdin(std::string text) {
  WasiConfig config;
  config.args = {"echo"};
  config.stdin_stream = WasiStdio::buffer(std::move(text));
  return config;
}

Fixture makeFixture(const WasiConfig &config) {
  Fixture f;
  auto module = Module::compile(test::watToWasm(kEchoThenClose));
  EXPECT_TRUE(module.ok()) << module.error().describe();
  auto context = WasiContext::create(config);
  EXPECT_TRUE(context.ok()) << context.error().describe();
  if (!module.ok() || !context.ok()) return f;
  f.context = *context;
  Linker linker;
  addWasiToLinker(linker, f.context);
  PoolOptions options;
  options.max_warm = 1;
  auto pool = InstancePool::create(*module, linker, options);
  EXPECT_TRUE(pool.ok()) << pool.error().describe();
  if (pool.ok()) f.pool = std::move(*pool);
  return f;
}

Outcome runOnce(InstancePool &pool) {
  auto lease = pool.lease();
  EXPECT_TRUE(lease.ok()) << lease.error().describe();
  if (!lease.ok()) return {};
  auto r = lease->instance().call("_start", {});
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? *r : Outcome{};
}

TEST(WasiContextReset, APooledInstanceSeesAFreshWasiEachRun) {
  Fixture f = makeFixture(withStdin("one"));
  ASSERT_TRUE(f.pool);
  Outcome first = runOnce(*f.pool);
  EXPECT_EQ(first.kind, OutcomeKind::Exited);
  EXPECT_EQ(first.exit_code, 3);
  EXPECT_EQ(f.context->capturedStdout(), "one");
  EXPECT_EQ(f.context->exitCode(), 3);

  ASSERT_TRUE(f.context->reset(withStdin("second")).ok());
  EXPECT_EQ(f.context->capturedStdout(), "");
  EXPECT_EQ(f.context->exitCode(), std::nullopt);
  Outcome second = runOnce(*f.pool);
  EXPECT_EQ(f.pool->stats().created, 1u) << "the warm instance was not reused";
  EXPECT_EQ(second.kind, OutcomeKind::Exited) << second.trap.describe();
  EXPECT_EQ(second.exit_code, 6);
  EXPECT_EQ(f.context->capturedStdout(), "second");
}

// Without reset the closed stdout stays closed: the check above is real.
TEST(WasiContextReset, WithoutResetTheDescriptorTableCarriesOver) {
  Fixture f = makeFixture(withStdin("one"));
  ASSERT_TRUE(f.pool);
  EXPECT_EQ(runOnce(*f.pool).kind, OutcomeKind::Exited);
  Outcome second = runOnce(*f.pool);
  EXPECT_EQ(second.kind, OutcomeKind::Trapped);
}

TEST(WasiContextReset, AFailedResetKeepsTheOldState) {
  Fixture f = makeFixture(withStdin("kept"));
  ASSERT_TRUE(f.pool);
  WasiConfig bad = withStdin("lost");
  bad.preopens.push_back({"/nonexistent/halter-reset-test", "/data", false});
  auto r = f.context->reset(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_EQ(runOnce(*f.pool).kind, OutcomeKind::Exited);
  EXPECT_EQ(f.context->capturedStdout(), "kept");
}

} // namespace
} // namespace halter
