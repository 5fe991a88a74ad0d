// Pipeline costs (issue "Pipelines", bench/RESULTS.md "Pipelines"):
// - chainPooled: a chain of N trivial dagwood-ABI processors (the appender
//   on a 1-byte input), the pipeline's per-node overhead with pooled
//   instances;
// - chainFreshInstances: the same N calls with a new instance each (what
//   DAGwood does: a new store and instance per call), without the pipeline;
// - wide: one entry, 64 CPU-bound nodes (run-length encoding of 256 KiB),
//   one join, at max_concurrency 1 and 2.
#include "halter/halter.h"
#include "halter/pipeline.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace {

using namespace halter;
using namespace halter::pipeline;

std::string guest(const char *name) {
  return std::string(HALTER_BENCH_GUEST_DIR) + "/" + name + ".wasm";
}

std::unique_ptr<Pipeline> make(const std::string &yaml, benchmark::State &state) {
  auto m = Manifest::parse(yaml, "bench.yaml");
  if (!m) {
    state.SkipWithError(m.error().message.c_str());
    return nullptr;
  }
  auto p = Pipeline::create(*m);
  if (!p) {
    state.SkipWithError(p.error().message.c_str());
    return nullptr;
  }
  return std::move(*p);
}

std::string chain(int n) {
  std::string y = "strategy: work_queue\nprocessors:\n";
  for (int i = 0; i < n; ++i) {
    y += "  - {id: n" + std::to_string(i) + ", type: wasm, module: " + guest("dagwood_append");
    if (i > 0) y += ", depends_on: [n" + std::to_string(i - 1) + "]";
    // Analyzers pass their input on: every node gets the same 1-byte input,
    // so the guest's own work stays constant along the chain.
    y += ", options: {intent: analyze}}\n";
  }
  return y;
}

void chainPooled(benchmark::State &state) {
  const int n = int(state.range(0));
  auto p = make(chain(n), state);
  if (!p) return;
  RunOptions o;
  o.max_concurrency = 1;
  for (auto _ : state) {
    RunReport r = p->run("x", o);
    if (!r.succeeded) {
      state.SkipWithError("the chain failed");
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["us_per_node"] = benchmark::Counter(
      double(state.iterations()) * n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(chainPooled)->Arg(1000)->Unit(benchmark::kMillisecond);

// The C-style sequence on a fresh instance per call.
void chainFreshInstances(benchmark::State &state) {
  const int n = int(state.range(0));
  std::ifstream in(guest("dagwood_append"), std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  auto module = Module::compile(bytes);
  if (!module) {
    state.SkipWithError(module.error().describe().c_str());
    return;
  }
  Linker linker;
  for (auto _ : state) {
    const std::string payload = "x";
    for (int i = 0; i < n; ++i) {
      auto inst = linker.instantiate(*module);
      if (!inst) {
        state.SkipWithError(inst.error().describe().c_str());
        return;
      }
      auto alloc = (*inst)->typed<int32_t(int32_t)>("allocate");
      auto process = (*inst)->typed<int32_t(int32_t, int32_t, int32_t)>("process");
      auto mem = (*inst)->getExport("memory");
      int32_t len = int32_t(payload.size());
      int32_t ip = *(*alloc)(len), lp = *(*alloc)(4);
      (void)mem->write(uint32_t(ip),
                       {reinterpret_cast<const uint8_t *>(payload.data()), payload.size()});
      int32_t r = *(*process)(ip, len, lp);
      uint8_t lb[4];
      (void)mem->read(uint32_t(lp), lb);
      int32_t out_len;
      std::memcpy(&out_len, lb, 4);
      std::string out(size_t(out_len), '\0');
      (void)mem->read(uint32_t(r), {reinterpret_cast<uint8_t *>(out.data()), out.size()});
      benchmark::DoNotOptimize(out); // every node gets "x", as in chainPooled
    }
    benchmark::DoNotOptimize(payload);
  }
  state.counters["us_per_node"] = benchmark::Counter(
      double(state.iterations()) * n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(chainFreshInstances)->Arg(1000)->Unit(benchmark::kMillisecond);

void wide(benchmark::State &state) {
  std::string y = "strategy: level\nprocessors:\n"
                  "  - {id: entry, type: local, processor: change_text_case_lower}\n";
  std::string deps;
  for (int i = 0; i < 64; ++i) {
    y += "  - {id: w" + std::to_string(i) + ", type: wasm, module: " + guest("dagwood_rle") +
         ", depends_on: [entry], options: {intent: analyze}}\n";
    deps += (i ? ", w" : "w") + std::to_string(i);
  }
  y += "  - {id: join, type: local, processor: reverse_text, depends_on: [" + deps + "]}\n";
  auto p = make(y, state);
  if (!p) return;
  std::string input(256 << 10, 'a');
  for (size_t i = 0; i < input.size(); i += 3) input[i] = 'b';
  RunOptions o;
  o.max_concurrency = unsigned(state.range(0));
  for (auto _ : state) {
    RunReport r = p->run(input, o);
    if (!r.succeeded) {
      state.SkipWithError(r.summary().c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(wide)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
