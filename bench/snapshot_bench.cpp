// Snapshot costs (issue "Snapshots", bench/RESULTS.md "Snapshots"):
// Instance::snapshot and Linker::restore of a 1 MiB and a 64 MiB memory,
// mostly zero (one byte per 64 KiB page) and fully written, raw and with
// zstd; the snapshot's size as a counter. Against them, a plain
// instantiate of the same module.
//
// Against an expensive init (tests/guests/wasi/primes.c, whose
// wizer.initialize sieves the primes below 2,000,000): a fresh instance and
// the init, a restore from a snapshot taken after it (read once), and an
// instance of the module halter::preinitialize wrote.
//
// Execution snapshots (guests/park.wat): Execution::snapshot and
// Linker::restoreExecution of a call parked in a host call 10 and 1,000
// frames deep; against them, instantiating and running to the same point.
#include "halter/halter.h"
#include "halter/preinit.h"
#include "halter/wasi.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

namespace {

using namespace halter;

std::shared_ptr<const Module> compileGuest(const std::string &name) {
  std::ifstream in(std::string(HALTER_BENCH_GUEST_DIR) + "/" + name, std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  auto r = Module::compile(bytes);
  return r.ok() ? *r : nullptr;
}

std::shared_ptr<const Module> guest() {
  static std::shared_ptr<const Module> m = compileGuest("snapshot.wasm");
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

// The pre-initialised guest, made once: its module, a linker with WASI, a
// snapshot of an instance after wizer.initialize (read once), and the
// module preinitialize wrote.
struct PreinitGuest {
  std::shared_ptr<const Module> module;
  std::shared_ptr<WasiContext> wasi;
  Linker linker;
  std::vector<uint8_t> snapshot_bytes;
  std::shared_ptr<const Snapshot> snapshot;
  std::vector<uint8_t> preinit_bytes;
  std::shared_ptr<const Module> preinitialised;
  std::string error; // why it could not be made
};

const PreinitGuest &preinitGuest() {
  static const PreinitGuest g = [] {
    PreinitGuest g;
    g.module = compileGuest("primes.wasm");
    if (!g.module) {
      g.error = "primes.wasm did not compile";
      return g;
    }
    auto wasi = WasiContext::create(WasiConfig{});
    if (!wasi.ok()) {
      g.error = wasi.error().describe();
      return g;
    }
    g.wasi = *wasi;
    addWasiToLinker(g.linker, g.wasi);
    auto inst = g.linker.instantiate(g.module);
    if (!inst.ok()) {
      g.error = inst.error().describe();
      return g;
    }
    auto out = (*inst)->call("wizer.initialize", {});
    if (!out.ok() || !out->returned()) {
      g.error = "wizer.initialize failed";
      return g;
    }
    auto bytes = (*inst)->snapshot();
    if (!bytes.ok()) {
      g.error = bytes.error().describe();
      return g;
    }
    g.snapshot_bytes = std::move(*bytes);
    auto snapshot = Snapshot::read(g.module, g.snapshot_bytes);
    if (!snapshot.ok()) {
      g.error = snapshot.error().describe();
      return g;
    }
    g.snapshot = *snapshot;
    auto pre = preinitialize(g.linker, g.module);
    if (!pre.ok()) {
      g.error = pre.error().describe();
      return g;
    }
    g.preinit_bytes = std::move(*pre);
    auto compiled = Module::compile(g.preinit_bytes);
    if (!compiled.ok()) {
      g.error = compiled.error().describe();
      return g;
    }
    g.preinitialised = *compiled;
    return g;
  }();
  return g;
}

// (a) A fresh instance of the original module and its init.
void primesFreshInit(benchmark::State &state) {
  const PreinitGuest &g = preinitGuest();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  for (auto _ : state) {
    auto inst = g.linker.instantiate(g.module);
    if (!inst.ok()) return state.SkipWithError(inst.error().describe().c_str());
    auto out = (*inst)->call("wizer.initialize", {});
    if (!out.ok() || !out->returned()) return state.SkipWithError("wizer.initialize failed");
    benchmark::DoNotOptimize(out);
  }
}

// (a) without the init: what instantiating the original costs alone.
void primesInstantiate(benchmark::State &state) {
  const PreinitGuest &g = preinitGuest();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  for (auto _ : state) benchmark::DoNotOptimize(g.linker.instantiate(g.module));
}

// (b) Linker::restore from the snapshot after init, read once.
void primesRestore(benchmark::State &state) {
  const PreinitGuest &g = preinitGuest();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  for (auto _ : state) {
    auto r = g.linker.restore(*g.snapshot);
    if (!r.ok()) return state.SkipWithError(r.error().describe().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] = double(g.snapshot_bytes.size());
}

// (b) from the snapshot's bytes each time: the read and check included.
void primesRestoreBytes(benchmark::State &state) {
  const PreinitGuest &g = preinitGuest();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  for (auto _ : state) {
    auto r = g.linker.restore(g.module, g.snapshot_bytes);
    if (!r.ok()) return state.SkipWithError(r.error().describe().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] = double(g.snapshot_bytes.size());
}

// (c) An instance of the module preinitialize wrote.
void primesPreinitialised(benchmark::State &state) {
  const PreinitGuest &g = preinitGuest();
  if (!g.error.empty()) return state.SkipWithError(g.error.c_str());
  for (auto _ : state) {
    auto inst = g.linker.instantiate(g.preinitialised);
    if (!inst.ok()) return state.SkipWithError(inst.error().describe().c_str());
    benchmark::DoNotOptimize(inst);
  }
  state.counters["bytes"] = double(g.preinit_bytes.size());
}

BENCHMARK(primesFreshInit)->Name("primes/fresh_init")->Unit(benchmark::kMicrosecond);
BENCHMARK(primesInstantiate)->Name("primes/instantiate")->Unit(benchmark::kMicrosecond);
BENCHMARK(primesRestore)->Name("primes/restore")->Unit(benchmark::kMicrosecond);
BENCHMARK(primesRestoreBytes)->Name("primes/restore_bytes")->Unit(benchmark::kMicrosecond);
BENCHMARK(primesPreinitialised)->Name("primes/preinitialised")->Unit(benchmark::kMicrosecond);

// The parked-execution guest, with a host.wait that always suspends.
std::shared_ptr<const Module> parkGuest() {
  static std::shared_ptr<const Module> m = compileGuest("park.wasm");
  return m;
}

Linker parkLinker() {
  Linker linker;
  linker.defineFunc("host", "wait", FuncType{{}, {ValType::I32}},
                    [](CallContext &, auto, auto) { return HostResult::suspend(); });
  return linker;
}

// An execution of rec(depth) run until it parks in host.wait.
Result<Execution> parked(const Linker &linker, int64_t depth) {
  auto inst = linker.instantiate(parkGuest());
  if (!inst.ok()) return inst.error();
  auto ex = (*inst)->start("rec", {{Value::i32(int32_t(depth))}});
  if (!ex.ok()) return ex.error();
  auto out = ex->run();
  if (!out.ok()) return out.error();
  if (!out->suspended())
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "rec did not park");
  return std::move(*ex);
}

// range(0): recursion depth; range(1): zstd.
void executionSnapshot(benchmark::State &state) {
  if (!parkGuest()) return state.SkipWithError("park.wasm did not compile");
  Linker linker = parkLinker();
  auto ex = parked(linker, state.range(0));
  if (!ex.ok()) return state.SkipWithError(ex.error().describe().c_str());
  SnapshotOptions o;
  o.compress = state.range(1) != 0;
  size_t size = 0;
  for (auto _ : state) {
    auto s = ex->snapshot(o);
    if (!s.ok()) return state.SkipWithError(s.error().describe().c_str());
    size = s->size();
    benchmark::DoNotOptimize(s);
  }
  state.counters["bytes"] = double(size);
}

void executionRestore(benchmark::State &state) {
  if (!parkGuest()) return state.SkipWithError("park.wasm did not compile");
  Linker linker = parkLinker();
  std::vector<uint8_t> bytes;
  {
    auto ex = parked(linker, state.range(0));
    if (!ex.ok()) return state.SkipWithError(ex.error().describe().c_str());
    SnapshotOptions o;
    o.compress = state.range(1) != 0;
    auto s = ex->snapshot(o);
    if (!s.ok()) return state.SkipWithError(s.error().describe().c_str());
    bytes = std::move(*s);
  }
  for (auto _ : state) {
    auto r = linker.restoreExecution(parkGuest(), bytes);
    if (!r.ok()) return state.SkipWithError(r.error().describe().c_str());
    if (!r->execution.suspended()) return state.SkipWithError("restored execution not parked");
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] = double(bytes.size());
}

// Against restoreExecution: a new instance run to the same parked point.
void executionPark(benchmark::State &state) {
  if (!parkGuest()) return state.SkipWithError("park.wasm did not compile");
  Linker linker = parkLinker();
  for (auto _ : state) {
    auto ex = parked(linker, state.range(0));
    if (!ex.ok()) return state.SkipWithError(ex.error().describe().c_str());
    benchmark::DoNotOptimize(ex);
  }
}

void depths(benchmark::internal::Benchmark *b) {
  for (int64_t depth : {10, 1000})
    for (int64_t zstd : {0, 1}) b->Args({depth, zstd});
  b->ArgNames({"depth", "zstd"})->Unit(benchmark::kMicrosecond);
}
BENCHMARK(executionSnapshot)->Name("execution_snapshot")->Apply(depths);
BENCHMARK(executionRestore)->Name("execution_restore")->Apply(depths);
BENCHMARK(executionPark)
    ->Name("execution_park")
    ->ArgName("depth")
    ->Arg(10)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
