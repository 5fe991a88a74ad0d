// Wasm processors in pipelines: a WASI command fed on stdin, a leaking
// dagwood-ABI guest that stays flat across runs (pooled and reset), a
// module hash that must match, and exports that do not fit either ABI.
#include "halter/pipeline.h"

#include <gtest/gtest.h>

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
