// Snapshot costs (issue "Snapshots", bench/RESULTS.md "Snapshots"):
// Instance::snapshot and Linker::restore of a 1 MiB and a 64 MiB memory,
// mostly zero (one byte per 64 KiB page) and fully written, raw and with
// zstd; the snapshot's size as a counter. Against them, a plain
// instantiate of the same module.
#include "halter/halter.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

namespace {

using namespace halter;

std::shared_ptr<const Module> guest() {
  static std::shared_ptr<const Module> m = [] {
    std::ifstream in(std::string(HALTER_BENCH_GUEST_DIR) + "/snapshot.wasm", std::ios::binary);
    std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
    auto r = Module::compile(bytes);
    return r.ok() ? *r : nullptr;
  }();
  return m;
}

// range(0): pages (16 or 1024); range(1): 0 sparse, 1 full; range(2): zstd.
std::shared_ptr<Instance> prepared(benchmark::State &state) {
  if (!guest()) {
    state.SkipWithError("snapshot.wasm did not compile");
    return nullptr;
  }
  auto inst = Linker().instantiate(guest());
  if (!inst.ok()) {
    state.SkipWithError(inst.error().describe().c_str());
    return nullptr;
  }
  (void)(*inst)->call("grow_to", {{Value::i32(int32_t(state.range(0)))}});
  (void)(*inst)->call(state.range(1) ? "full" : "sparse", {});
  return *inst;
}

void snapshot(benchmark::State &state) {
  auto inst = prepared(state);
  if (!inst) return;
  SnapshotOptions o;
  o.compress = state.range(2) != 0;
  size_t size = 0;
  for (auto _ : state) {
    auto s = inst->snapshot(o);
    size = s.ok() ? s->size() : 0;
    benchmark::DoNotOptimize(s);
  }
  state.counters["bytes"] = double(size);
}

void restore(benchmark::State &state) {
  auto inst = prepared(state);
  if (!inst) return;
  SnapshotOptions o;
  o.compress = state.range(2) != 0;
  auto s = inst->snapshot(o);
  if (!s.ok()) {
    state.SkipWithError(s.error().describe().c_str());
    return;
  }
  Linker linker;
  for (auto _ : state) {
    auto r = linker.restore(guest(), *s);
    if (!r.ok()) {
      state.SkipWithError(r.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] = double(s->size());
}

void instantiate(benchmark::State &state) {
  if (!guest()) return state.SkipWithError("snapshot.wasm did not compile");
  Linker linker;
  for (auto _ : state) benchmark::DoNotOptimize(linker.instantiate(guest()));
}

void shapes(benchmark::internal::Benchmark *b) {
  for (int64_t pages : {16, 1024})
    for (int64_t full : {0, 1})
      for (int64_t zstd : {0, 1}) b->Args({pages, full, zstd});
  b->ArgNames({"pages", "full", "zstd"})->Unit(benchmark::kMicrosecond);
}
BENCHMARK(snapshot)->Apply(shapes);
BENCHMARK(restore)->Apply(shapes);
BENCHMARK(instantiate)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
