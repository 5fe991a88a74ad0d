// Snapshots across processes (README "Snapshots"):
//   snapshot_file save PRIMES.wasm STATE.snap   runs the guest's init, saves the instance
//   snapshot_file load PRIMES.wasm STATE.snap   a new process restores it and queries it
// The second process never runs init: the sieve comes back from the file.
#include "halter/halter.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::vector<uint8_t> readFile(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

int fail(const std::string &what) {
  std::fprintf(stderr, "snapshot_file: %s\n", what.c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4 || (std::strcmp(argv[1], "save") != 0 && std::strcmp(argv[1], "load") != 0))
    return fail("usage: snapshot_file save|load PRIMES.wasm STATE.snap");
  auto module = halter::Module::compile(readFile(argv[2]));
  if (!module) return fail(module.error().describe());
  halter::Linker linker;
  halter::Limits limits;
  limits.fuel = 1'000'000'000;
  halter::CallOptions metered;
  metered.limits = limits;

  if (std::strcmp(argv[1], "save") == 0) {
    auto inst = linker.instantiate(*module);
    if (!inst) return fail(inst.error().describe());
    auto init = (*inst)->call("init", {}, metered);
    if (!init || !init->returned()) return fail("init did not return");
    std::printf("init used %llu fuel\n", (unsigned long long)init->stats.fuel_used);
    auto bytes = (*inst)->snapshot();
    if (!bytes) return fail(bytes.error().describe());
    std::ofstream(argv[3], std::ios::binary)
        .write(reinterpret_cast<const char *>(bytes->data()), std::streamsize(bytes->size()));
    std::printf("saved %zu bytes\n", bytes->size());
    return 0;
  }

  auto inst = linker.restore(*module, readFile(argv[3]));
  if (!inst) return fail(inst.error().describe());
  auto r = (*inst)->call("count_below", {{halter::Value::i32(1'000'000)}}, metered);
  if (!r || !r->returned()) return fail("count_below did not return");
  std::printf("restored: %d primes below 1000000\n", int(r->results[0].asI32()));
  return 0;
}
