#include "wat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace halter::test {

std::vector<uint8_t> watToWasm(const std::string &wat, const std::string &flags) {
  static std::atomic<int> counter{0};
  std::string base =
      "/tmp/halter_unit_api_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string wat_path = base + ".wat";
  std::string wasm_path = base + ".wasm";
  {
    std::ofstream out(wat_path);
    out << wat;
  }
  std::string cmd = "wat2wasm " + flags + " " + wat_path + " -o " + wasm_path;
  std::vector<uint8_t> bytes;
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream in(wasm_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::remove(wat_path.c_str());
  std::remove(wasm_path.c_str());
  return bytes;
}

std::shared_ptr<Instance> instantiate(const std::string &wat, const Linker &linker) {
  auto m = Module::compile(watToWasm(wat));
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  if (!m.ok()) return nullptr;
  auto inst = linker.instantiate(*m);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().describe());
  return inst.ok() ? *inst : nullptr;
}

} // namespace halter::test
