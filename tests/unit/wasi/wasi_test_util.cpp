#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace halter::test {

GuestRun runGuest(const std::string &name, WasiConfig config, const CallOptions &options) {
  GuestRun run;
  std::ifstream file(std::string(HALTER_TEST_GUEST_DIR) + "/wasi/" + name + ".wasm",
                     std::ios::binary);
  EXPECT_TRUE(file.good()) << "guest " << name << " not built";
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
                             std::istreambuf_iterator<char>());
  auto module = Module::compile(bytes);
  EXPECT_TRUE(module.ok()) << module.error().describe();
  if (!module.ok()) return run;
  if (config.args.empty()) config.args.push_back(name);
  auto context = WasiContext::create(config);
  EXPECT_TRUE(context.ok()) << context.error().describe();
  if (!context.ok()) return run;
  Linker linker;
  addWasiToLinker(linker, *context);
  auto instance = linker.instantiate(*module);
  EXPECT_TRUE(instance.ok()) << instance.error().describe();
  if (!instance.ok()) return run;
  auto outcome = (*instance)->call("_start", {}, options);
  EXPECT_TRUE(outcome.ok()) << outcome.error().describe();
  if (!outcome.ok()) return run;
  run.outcome = std::move(*outcome);
  run.out = (*context)->capturedStdout();
  run.err = (*context)->capturedStderr();
  run.exit_code = (*context)->exitCode();
  return run;
}

ScratchDir::ScratchDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "halter-wasi-XXXXXX").string();
  char *made = mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  path_ = tmpl;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void ScratchDir::write(const std::string &rel, const std::string &content) const {
  std::filesystem::create_directories((path_ / rel).parent_path());
  std::ofstream(path_ / rel, std::ios::binary) << content;
}

std::string ScratchDir::read(const std::string &rel) const {
  std::ifstream in(path_ / rel, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool ScratchDir::exists(const std::string &rel) const {
  return std::filesystem::exists(std::filesystem::symlink_status(path_ / rel));
}

} // namespace halter::test
