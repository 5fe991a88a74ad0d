#include "wat_fixture.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace halter::test {

std::vector<uint8_t> watToWasm(const std::string &wat) {
  static std::atomic<int> counter{0};
  std::string base =
      "/tmp/halter_unit_exec_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::string wat_path = base + ".wat";
  std::string wasm_path = base + ".wasm";
  {
    std::ofstream out(wat_path);
    out << wat;
  }
  std::string cmd = "wat2wasm --debug-names " + wat_path + " -o " + wasm_path;
  std::vector<uint8_t> bytes;
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream in(wasm_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::remove(wat_path.c_str());
  std::remove(wasm_path.c_str());
  return bytes;
}

std::shared_ptr<Instance> instantiateWat(const std::string &wat, const Linker &linker,
                                         const Limits &config) {
  std::vector<uint8_t> bytes = watToWasm(wat);
  EXPECT_FALSE(bytes.empty()) << "wat2wasm failed";
  auto module = Module::compile(bytes);
  EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().describe());
  if (!module.ok()) return nullptr;
  auto inst = linker.instantiate(*module, config);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().describe());
  if (!inst.ok()) return nullptr;
  return *inst;
}

std::vector<Value> callOk(Instance &inst, const std::string &name, std::vector<Value> args) {
  auto out = inst.call(name, args);
  EXPECT_TRUE(out.ok()) << name << ": " << (out.ok() ? "" : out.error().describe());
  if (!out.ok()) return {};
  EXPECT_EQ(out->kind, OutcomeKind::Returned)
      << name << ": " << outcomeKindName(out->kind) << " " << out->trap.describe();
  return out->results;
}

Trap callTrap(Instance &inst, const std::string &name, std::vector<Value> args) {
  auto out = inst.call(name, args);
  EXPECT_TRUE(out.ok()) << name << ": " << (out.ok() ? "" : out.error().describe());
  if (!out.ok()) return {};
  EXPECT_EQ(out->kind, OutcomeKind::Trapped) << name << ": " << outcomeKindName(out->kind);
  return out->trap;
}

uint32_t callI32(Instance &inst, const std::string &name, std::vector<Value> args) {
  std::vector<Value> r = callOk(inst, name, std::move(args));
  EXPECT_EQ(r.size(), 1u) << name;
  if (r.size() != 1) return 0xDEADBEEF;
  EXPECT_EQ(r[0].type(), ValType::I32) << name;
  return r[0].asI32();
}

uint64_t callI64(Instance &inst, const std::string &name, std::vector<Value> args) {
  std::vector<Value> r = callOk(inst, name, std::move(args));
  EXPECT_EQ(r.size(), 1u) << name;
  if (r.size() != 1) return 0xDEADBEEF;
  EXPECT_EQ(r[0].type(), ValType::I64) << name;
  return r[0].asI64();
}

} // namespace halter::test
