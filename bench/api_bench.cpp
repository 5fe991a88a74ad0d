// Microbenchmarks of the public API: compiling a module, instantiating it,
// calling an empty export (untyped and typed), a guest loop that calls the host, and the same loop
// with every host call suspended and resumed, Instance::reset by pages touched,
// instantiating a small module, and a pooled lease-call-return.
#include "halter/halter.h"
#include "halter/pool.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

namespace {

std::vector<uint8_t> readFile(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const halter::Module> compileOrSkip(benchmark::State &state, const char *path) {
  auto bytes = readFile(path);
  auto module = halter::Module::compile(bytes);
  if (!module) {
    state.SkipWithError(module.error().describe().c_str());
    return nullptr;
  }
  return *module;
}

// env.tick adds its argument to *ticks, or (suspend) parks the guest.
halter::Linker apiLinker(uint64_t *ticks, bool suspend = false) {
  halter::Linker linker;
  linker.defineFunc("env", "tick", halter::FuncType{{halter::ValType::I32}, {}},
                    [ticks, suspend](halter::CallContext &, std::span<const halter::Value> args,
                                     std::span<halter::Value>) {
                      if (suspend) return halter::HostResult::suspend();
                      *ticks += args[0].asI32();
                      return halter::HostResult::ok();
                    });
  return linker;
}

// An instance of bench/guests/api.wasm whose env.tick is apiLinker's.
std::optional<std::shared_ptr<halter::Instance>> apiInstanceOrSkip(benchmark::State &state,
                                                                   uint64_t *ticks, bool suspend) {
  auto module = compileOrSkip(state, HALTER_BENCH_GUEST_DIR "/api.wasm");
  if (!module) return std::nullopt;
  auto instance = apiLinker(ticks, suspend).instantiate(module);
  if (!instance) {
    state.SkipWithError(instance.error().describe().c_str());
    return std::nullopt;
  }
  return *instance;
}

void compileKernel(benchmark::State &state) {
  auto bytes = readFile(HALTER_BENCH_KERNEL_DIR "/vm.wasm");
  for (auto _ : state) {
    auto module = halter::Module::compile(bytes);
    if (!module) {
      state.SkipWithError(module.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(module);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(compileKernel);

// The matmul kernel has 3.5 MiB of zero-initialised memory.
void instantiateKernel(benchmark::State &state) {
  auto module = compileOrSkip(state, HALTER_BENCH_KERNEL_DIR "/matmul.wasm");
  if (!module) return;
  halter::Linker linker;
  for (auto _ : state) {
    auto instance = linker.instantiate(module);
    if (!instance) {
      state.SkipWithError(instance.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(instance);
  }
}
BENCHMARK(instantiateKernel);

void callEmptyExport(benchmark::State &state) {
  uint64_t ticks = 0;
  auto instance = apiInstanceOrSkip(state, &ticks, false);
  if (!instance) return;
  auto nop = (*instance)->getExport("nop");
  if (!nop) {
    state.SkipWithError(nop.error().describe().c_str());
    return;
  }
  for (auto _ : state) {
    auto outcome = (*instance)->call(*nop, {});
    benchmark::DoNotOptimize(outcome);
  }
}
BENCHMARK(callEmptyExport);

// The same through a typed call (typed_func.h): no Value vectors, no clock.
void callEmptyExportTyped(benchmark::State &state) {
  uint64_t ticks = 0;
  auto instance = apiInstanceOrSkip(state, &ticks, false);
  if (!instance) return;
  auto nop = (*instance)->typed<void()>("nop");
  if (!nop) {
    state.SkipWithError(nop.error().describe().c_str());
    return;
  }
  for (auto _ : state) {
    auto done = (*nop)();
    benchmark::DoNotOptimize(done);
  }
}
BENCHMARK(callEmptyExportTyped);

void callAddTyped(benchmark::State &state) {
  uint64_t ticks = 0;
  auto instance = apiInstanceOrSkip(state, &ticks, false);
  if (!instance) return;
  auto add = (*instance)->typed<int32_t(int32_t, int32_t)>("add");
  if (!add) {
    state.SkipWithError(add.error().describe().c_str());
    return;
  }
  int32_t x = 0;
  for (auto _ : state) {
    auto sum = (*add)(x, 1);
    x = sum.ok() ? *sum : 0;
  }
  benchmark::DoNotOptimize(x);
}
BENCHMARK(callAddTyped);

void guestToHostCalls(benchmark::State &state) {
  uint64_t ticks = 0;
  auto instance = apiInstanceOrSkip(state, &ticks, false);
  if (!instance) return;
  const uint32_t calls = static_cast<uint32_t>(state.range(0));
  const halter::Value args[] = {halter::Value::i32(calls)};
  for (auto _ : state) {
    auto outcome = (*instance)->call("host_loop", args);
    if (!outcome || !outcome->returned()) {
      state.SkipWithError("host_loop did not return");
      break;
    }
  }
  benchmark::DoNotOptimize(ticks);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * calls));
}
BENCHMARK(guestToHostCalls)->Arg(1000);

// Every host call suspends and the embedder resumes it: one item is a whole
// round trip (guest calls host, host suspends, run() returns, resume, run()
// continues the guest).
void suspendResumeRoundTrip(benchmark::State &state) {
  uint64_t ticks = 0;
  auto instance = apiInstanceOrSkip(state, &ticks, true);
  if (!instance) return;
  const uint32_t calls = static_cast<uint32_t>(state.range(0));
  const halter::Value args[] = {halter::Value::i32(calls)};
  for (auto _ : state) {
    auto run = (*instance)->start("host_loop", args);
    halter::Outcome out = run->run().value();
    while (out.kind == halter::OutcomeKind::Suspended) {
      ticks += out.pending.args[0].asI32();
      (void)run->resume({});
      out = run->run().value();
    }
    if (!out.returned()) {
      state.SkipWithError("host_loop did not return");
      break;
    }
  }
  benchmark::DoNotOptimize(ticks);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * calls));
}
BENCHMARK(suspendResumeRoundTrip)->Arg(1000);

} // namespace

// Instance::reset after the guest grew its memory to range(1) wasm pages and
// wrote into the first range(0) of them; only the reset is timed. The cost
// should follow the pages touched, not the memory's size.
void resetAfterTouching(benchmark::State &state) {
  auto module = compileOrSkip(state, HALTER_BENCH_GUEST_DIR "/reset.wasm");
  if (!module) return;
  auto instance = halter::Linker().instantiate(module);
  if (!instance) {
    state.SkipWithError(instance.error().describe().c_str());
    return;
  }
  auto grow_to = (*instance)->typed<void(uint32_t)>("grow_to");
  auto touch = (*instance)->typed<void(uint32_t)>("touch");
  if (!grow_to || !touch) {
    state.SkipWithError("reset.wasm lacks grow_to or touch");
    return;
  }
  auto touched = uint32_t(state.range(0));
  auto pages = uint32_t(state.range(1));
  for (auto _ : state) {
    state.PauseTiming();
    bool ran = (*grow_to)(pages).ok() && (*touch)(touched).ok();
    state.ResumeTiming();
    if (!ran || !(*instance)->reset().ok()) {
      state.SkipWithError("grow, touch or reset failed");
      return;
    }
  }
}
BENCHMARK(resetAfterTouching)
    ->Args({1, 16})
    ->Args({1, 10000})
    ->Args({100, 10000})
    ->Args({10000, 10000})
    ->Unit(benchmark::kMicrosecond);

// Instantiating (and dropping) the small module of the reset benchmark: one
// page of memory with a data segment, two functions; range(0) = 1 with a
// copy-on-write memory image, 0 copying the segment.
void instantiateSmall(benchmark::State &state) {
  auto bytes = readFile(HALTER_BENCH_GUEST_DIR "/reset.wasm");
  halter::CompileOptions options;
  options.memory_images = state.range(0) != 0;
  auto module = halter::Module::compile(bytes, options);
  if (!module) {
    state.SkipWithError(module.error().describe().c_str());
    return;
  }
  halter::Linker linker;
  for (auto _ : state) {
    auto instance = linker.instantiate(*module);
    if (!instance) {
      state.SkipWithError(instance.error().describe().c_str());
      break;
    }
    benchmark::DoNotOptimize(instance);
  }
}
BENCHMARK(instantiateSmall)->Arg(1)->Arg(0);

// One pooled use of the small module: lease, a call that writes into
// range(0) wasm pages (0: the call writes nothing), give back (the pool
// resets the instance).
void poolLeaseCallReturn(benchmark::State &state) {
  auto module = compileOrSkip(state, HALTER_BENCH_GUEST_DIR "/reset.wasm");
  if (!module) return;
  auto pool = halter::InstancePool::create(module, halter::Linker());
  if (!pool) {
    state.SkipWithError(pool.error().describe().c_str());
    return;
  }
  auto touched = uint32_t(state.range(0));
  for (auto _ : state) {
    auto lease = (*pool)->lease();
    if (!lease) {
      state.SkipWithError(lease.error().describe().c_str());
      break;
    }
    auto touch = (*lease)->typed<void(uint32_t)>("touch");
    if (!touch || !(*touch)(touched).ok()) {
      state.SkipWithError("touch failed");
      break;
    }
  }
  halter::PoolStats stats = (*pool)->stats();
  state.counters["created"] = double(stats.created);
  state.counters["resets"] = double(stats.resets);
}
BENCHMARK(poolLeaseCallReturn)->Arg(0)->Arg(1);

// The same call on one instance that is never reset: what the pool adds.
void callTouchWithoutPool(benchmark::State &state) {
  auto module = compileOrSkip(state, HALTER_BENCH_GUEST_DIR "/reset.wasm");
  if (!module) return;
  auto instance = halter::Linker().instantiate(module);
  if (!instance) {
    state.SkipWithError(instance.error().describe().c_str());
    return;
  }
  auto touched = uint32_t(state.range(0));
  for (auto _ : state) {
    auto touch = (*instance)->typed<void(uint32_t)>("touch");
    if (!touch || !(*touch)(touched).ok()) {
      state.SkipWithError("touch failed");
      break;
    }
  }
}
BENCHMARK(callTouchWithoutPool)->Arg(0)->Arg(1);

BENCHMARK_MAIN();
