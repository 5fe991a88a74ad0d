#include "support/wat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

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

namespace halter::test {

size_t privatePages(const uint8_t *base, size_t bytes) {
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  FILE *f = std::fopen("/proc/self/pagemap", "rb");
  if (f == nullptr) return SIZE_MAX;
  size_t first = reinterpret_cast<uintptr_t>(base) / page;
  size_t count = (bytes + page - 1) / page;
  std::vector<uint64_t> entries(count);
  size_t got = 0;
  if (std::fseek(f, long(first * sizeof(uint64_t)), SEEK_SET) == 0)
    got = std::fread(entries.data(), sizeof(uint64_t), count, f);
  std::fclose(f);
  if (got != count) return SIZE_MAX;
  size_t n = 0;
  for (uint64_t e : entries) {
    bool present = (e >> 63) & 1;
    bool file_or_shared = (e >> 61) & 1;
    n += present && !file_or_shared;
  }
  return n;
}

size_t residentBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return size_t(std::stoull(line.substr(6))) * 1024;
  }
  return 0;
}

} // namespace halter::test
