// Wasm processors in pipelines: a WASI command fed on stdin, a leaking
// dagwood-ABI guest that stays flat across runs (pooled and reset), a
// module hash that must match, and exports that do not fit either ABI.
#include "halter/pipeline.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace halter::pipeline {
namespace {

Result<std::unique_ptr<Pipeline>> build(const std::string &yaml) {
  ManifestOptions mo;
  mo.module_dir = HALTER_TEST_GUEST_DIR;
  auto m = Manifest::parse(yaml, "t.yaml", mo);
  if (!m) return m.error();
  return Pipeline::create(*m);
}

TEST(WasmAbi, WasiCommandReadsStdinAndWritesTheOutput) {
  auto p = build("strategy: level\nfailure_strategy: continue_on_error\nprocessors:\n"
                 "  - {id: wc, type: wasm, module: wasi/wc.wasm}\n" // _start: detected
                 "  - {id: small, type: wasm, module: wasi/wc.wasm, abi: wasi-command,"
                 " options: {fuel_level: 1000000}}\n"
                 "  - {id: again, type: wasm, module: wasi/wc.wasm, depends_on: [wc]}\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  RunReport r = (*p)->run("hello world\nbye\n");
  ASSERT_TRUE(r.succeeded) << r.summary();
  EXPECT_EQ(r.nodes[0].output, "2 3 16\n");
  EXPECT_EQ(r.nodes[1].output, "2 3 16\n");
  EXPECT_EQ(r.nodes[2].output, "1 3 7\n"); // wc of "2 3 16\n"
  EXPECT_EQ(r.metadata.at("wc").at("artifact_type"), "WASI-Command");
  // 1,000,000 fuel does not take wc through 1 MiB; the default does.
  RunReport big = (*p)->run(std::string(1 << 20, 'x'));
  EXPECT_FALSE(big.succeeded);
  EXPECT_EQ(big.nodes[0].output, "0 1 1048576\n") << big.summary();
  EXPECT_EQ(big.nodes[1].outcome, NodeOutcome::OutOfFuel) << big.summary();
  EXPECT_LE(big.nodes[1].fuel_used, 1000000u); // instantiation used the rest
  EXPECT_GT(big.nodes[1].fuel_used, 990000u);
}

// `wat` compiled to a file in the test's temp dir; its absolute path.
std::string writeModule(const std::string &name, const std::string &wat) {
  std::vector<uint8_t> bytes = test::watToWasm(wat);
  EXPECT_FALSE(bytes.empty());
  std::string path = testing::TempDir() + "/halter_abi_" + name + ".wasm";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

// WASI nodes run on pooled instances whose WASI context is reset for each
// call: this command closes its stdout after writing, so a second call on a
// carried-over descriptor table would trap.
TEST(WasmAbi, APooledWasiCommandGetsAFreshWasiEachCall) {
  const std::string module = writeModule("echo_close", R"((module
    (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 0) "\40\00\00\00\40\00\00\00")
    (func (export "_start")
      (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
      (i32.store (i32.const 4) (i32.load (i32.const 16)))
      (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)) (then unreachable))
      (if (call $close (i32.const 1)) (then unreachable))))
  )");
  auto p = build("strategy: reactive\nprocessors:\n"
                 "  - {id: echo, type: wasm, module: " +
                 module + "}\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (int i = 0; i < 50; ++i) {
    std::string input(size_t(i % 7 + 1), char('a' + i % 26));
    RunOptions o;
    o.max_concurrency = 1;
    RunReport r = (*p)->run(input, o);
    ASSERT_TRUE(r.succeeded) << "call " << i << ": " << r.summary();
    ASSERT_EQ(r.final_output, input) << "call " << i;
  }
}

// A start function runs when the node's pool makes an instance; the node's
// own fuel and timeout stop one that never ends.
TEST(WasmAbi, AStartFunctionThatNeverEndsIsStoppedByTheNodesLimits) {
  const std::string module = writeModule("spin_start", R"((module
    (memory (export "memory") 1)
    (func $spin (loop $l (br $l)))
    (start $spin)
    (func (export "allocate") (param i32) (result i32) (i32.const 16))
    (func (export "deallocate") (param i32 i32))
    (func (export "process") (param i32 i32 i32) (result i32) (i32.const 16)))
  )");
  auto p = build("strategy: level\nfailure_strategy: continue_on_error\nprocessors:\n"
                 "  - {id: fuel, type: wasm, module: " +
                 module +
                 ", options: {fuel_level: 1000000}}\n"
                 "  - {id: clock, type: wasm, module: " +
                 module + ", options: {fuel_level: 500000000, timeout: 50ms}}\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  auto started = std::chrono::steady_clock::now();
  RunReport r = (*p)->run("x");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_FALSE(r.succeeded);
  EXPECT_EQ(r.nodes[0].outcome, NodeOutcome::Failed) << r.summary();
  EXPECT_NE(r.nodes[0].message.find("OutOfFuel"), std::string::npos) << r.nodes[0].message;
  EXPECT_EQ(r.nodes[1].outcome, NodeOutcome::Deadline) << r.summary();
}

TEST(WasmAbi, ALeakingProcessorStaysFlatAcrossRuns) {
  auto p = build("strategy: work_queue\nprocessors:\n"
                 "  - {id: leak, type: wasm, module: leaky_processor.wasm}\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  uint64_t first_peak = 0;
  for (int i = 0; i < 500; ++i) {
    RunReport r = (*p)->run("run " + std::to_string(i));
    ASSERT_TRUE(r.succeeded) << r.summary();
    ASSERT_EQ(r.final_output, "RUN " + std::to_string(i));
    if (i == 0) first_peak = r.nodes[0].peak_memory_bytes;
    ASSERT_EQ(r.nodes[0].peak_memory_bytes, first_peak) << "run " << i;
  }
  EXPECT_GT(first_peak, 0u);
}

TEST(WasmAbi, ModuleHashesAndExportsAreChecked) {
  auto wrong = build("strategy: level\nprocessors:\n"
                     "  - {id: a, type: wasm, module: dagwood_append.wasm, module_sha256: \"" +
                     std::string(64, '0') + "\"}\n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("processor 'a': module "), std::string::npos)
      << wrong.error().message;
  EXPECT_NE(wrong.error().message.find("the manifest expects 0000"), std::string::npos);
  auto missing = build("strategy: level\nprocessors:\n"
                       "  - {id: a, type: wasm, module: no_such.wasm}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read module"), std::string::npos);
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos)
      << missing.error().message;
  auto directory = build("strategy: level\nprocessors:\n"
                         "  - {id: a, type: wasm, module: wasi}\n"); // a directory
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message.find("Is a directory"), std::string::npos)
      << directory.error().message;
  auto manifest_dir = Manifest::load(HALTER_TEST_GUEST_DIR);
  ASSERT_FALSE(manifest_dir.ok());
  EXPECT_EQ(manifest_dir.error().code, ErrorCode::Io);
  EXPECT_NE(manifest_dir.error().message.find("Is a directory"), std::string::npos)
      << manifest_dir.error().message;
  auto neither = build("strategy: level\nprocessors:\n"
                       "  - {id: a, type: wasm, module: ask.wasm}\n");
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.error().message.find("exports neither DAGwood's"), std::string::npos)
      << neither.error().message;
  auto forced = build("strategy: level\nprocessors:\n"
                      "  - {id: a, type: wasm, module: wasi/wc.wasm, abi: dagwood}\n");
  ASSERT_FALSE(forced.ok());
  EXPECT_NE(forced.error().message.find("must export 'process' function"), std::string::npos)
      << forced.error().message;
}

} // namespace
} // namespace halter::pipeline
