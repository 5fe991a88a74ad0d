// What limits cost and how well they hold (issue "Limits that hold"):
//   1. fuel overhead: each kernel of bench/kernels/ with fuel metering on (an
//      ample budget) against the same call with no limits;
//   2. interrupt overhead: the same with a deadline set (an hour away);
//   3. deadline overshoot: each runaway shape of tests/guests/runaway.wat and
//      bench/guests/stop_shapes.wat (every kind of loop back edge, bulk
//      operations over 4 GiB), 100 runs with a 10 ms deadline; p50, p99 and
//      max of (stop - deadline).
// Variants of one kernel alternate within a round, so a slow phase of a shared
// machine hits all of them. Prints tables; the exit status only says whether
// every run gave the expected result.
#include "halter/halter.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

// --no-deadline-signal: deadlines served by the engine thread alone.
bool g_signal_off = false;

using halter::Clock;
using namespace std::chrono_literals;

struct Kernel {
  const char *name;
  uint32_t n;
  uint32_t quick_n;
};
const Kernel kKernels[] = {
    {"fib", 32, 15}, {"sieve", 16, 1}, {"matmul", 256, 16}, {"hash", 20, 1}, {"vm", 20000, 200},
};

std::optional<std::vector<uint8_t>> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::shared_ptr<const halter::Module> load(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes) {
    std::printf("cannot read %s\n", path.c_str());
    return nullptr;
  }
  auto m = halter::Module::compile(*bytes);
  if (!m) {
    std::printf("%s: %s\n", path.c_str(), m.error().describe().c_str());
    return nullptr;
  }
  return *m;
}

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double geomean(const std::vector<double> &xs) {
  double s = 0;
  for (double x : xs) s += std::log(x);
  return std::exp(s / double(xs.size()));
}

bool overheadTable(int reps, bool quick) {
  std::printf("Fuel and interrupt overhead (best of %d, variants alternating)\n", reps);
  std::printf("%-8s %7s %11s %11s %13s %10s %14s\n", "kernel", "n", "plain ms", "fuel ms",
              "deadline ms", "fuel/plain", "deadline/plain");
  std::vector<double> fuel_ratios, deadline_ratios;
  bool ok = true;
  for (const Kernel &k : kKernels) {
    auto module = load(std::string(HALTER_BENCH_KERNEL_DIR) + "/" + k.name + ".wasm");
    if (!module) return false;
    halter::Linker linker;
    auto inst = linker.instantiate(module);
    if (!inst) return false;
    halter::Value arg = halter::Value::i32(quick ? k.quick_n : k.n);
    halter::CallOptions plain, fuel, deadline;
    fuel.limits = halter::Limits{};
    fuel.limits->fuel = uint64_t{1} << 62;
    deadline.limits = halter::Limits{};
    deadline.limits->timeout = 1h;
    double best[3] = {1e300, 1e300, 1e300};
    uint32_t checksum[3] = {};
    uint64_t fuel_used = 0;
    for (int r = 0; r < reps; ++r) {
      const halter::CallOptions *variants[3] = {&plain, &fuel, &deadline};
      for (int v = 0; v < 3; ++v) {
        Clock::time_point t0 = Clock::now();
        auto out = (*inst)->call("run", std::span(&arg, 1), *variants[v]);
        double t = ms(Clock::now() - t0);
        if (!out || !out->returned()) {
          std::printf("  %s: variant %d did not return\n", k.name, v);
          return false;
        }
        best[v] = std::min(best[v], t);
        checksum[v] = out->results[0].asI32();
        if (v == 1) fuel_used = out->stats.fuel_used;
      }
    }
    if (checksum[0] != checksum[1] || checksum[0] != checksum[2]) {
      std::printf("  %s: checksums differ: %u %u %u\n", k.name, checksum[0], checksum[1],
                  checksum[2]);
      ok = false;
    }
    fuel_ratios.push_back(best[1] / best[0]);
    deadline_ratios.push_back(best[2] / best[0]);
    std::printf("%-8s %7u %11.3f %11.3f %13.3f %9.3fx %13.3fx   (fuel used %llu)\n", k.name,
                quick ? k.quick_n : k.n, best[0], best[1], best[2], best[1] / best[0],
                best[2] / best[0], static_cast<unsigned long long>(fuel_used));
  }
  std::printf("%-8s %7s %11s %11s %13s %9.3fx %13.3fx\n\n", "geomean", "", "", "", "",
              geomean(fuel_ratios), geomean(deadline_ratios));
  return ok;
}

double percentile(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  size_t i = static_cast<size_t>(std::ceil(p * double(xs.size()))) - 1;
  return xs[std::min(i, xs.size() - 1)];
}

// One shape's row: `runs` calls with an absolute deadline 10 ms ahead.
bool overshootRow(halter::Instance &inst, const char *shape, const halter::Limits &limits,
                  int runs) {
  std::vector<double> over;
  for (int i = 0; i < runs; ++i) {
    halter::CallOptions options;
    options.limits = limits;
    Clock::time_point deadline = Clock::now() + 10ms;
    options.limits->deadline = deadline;
    auto out = inst.call(shape, {}, options);
    Clock::time_point stopped = Clock::now();
    if (!out || out->kind != halter::OutcomeKind::DeadlineExceeded) {
      std::printf("  %s: did not end with DeadlineExceeded\n", shape);
      return false;
    }
    over.push_back(ms(stopped - deadline));
  }
  std::printf("%-15s %9.3f %9.3f %9.3f\n", shape, percentile(over, 0.5), percentile(over, 0.99),
              *std::max_element(over.begin(), over.end()));
  return true;
}

// The machine's own floor for the same measurement without halter: a thread
// spins on an atomic flag that a timer thread sets at the deadline (the way
// halter's timer thread raises the interrupt word).
void floorRow(int runs) {
  std::vector<double> over;
  for (int i = 0; i < runs; ++i) {
    std::atomic<bool> flag{false};
    Clock::time_point deadline = Clock::now() + 10ms;
    std::thread timer([&] {
      std::mutex m;
      std::condition_variable cv;
      std::unique_lock lock(m);
      cv.wait_until(lock, deadline, [] { return false; });
      flag.store(true, std::memory_order_relaxed);
    });
    while (!flag.load(std::memory_order_relaxed)) {
    }
    over.push_back(ms(Clock::now() - deadline));
    timer.join();
  }
  std::printf("%-15s %9.3f %9.3f %9.3f\n", "floor (no wasm)", percentile(over, 0.5),
              percentile(over, 0.99), *std::max_element(over.begin(), over.end()));
}

bool overshootTable(int runs) {
  auto module = load(std::string(HALTER_BENCH_GUEST_DIR) + "/runaway.wasm");
  auto straight = load(std::string(HALTER_BENCH_GUEST_DIR) + "/straight_line.wasm");
  auto stops = load(std::string(HALTER_BENCH_GUEST_DIR) + "/stop_shapes.wasm");
  if (!module || !straight || !stops) return false;
  std::printf("Deadline overshoot: %d runs per shape, 10 ms deadline; stop - deadline in ms\n",
              runs);
  std::printf("delivery: %s\n", !g_signal_off ? "engine thread + signal to the guest's thread"
                                              : "engine thread alone (--no-deadline-signal)");
  std::printf("%-15s %9s %9s %9s\n", "shape", "p50", "p99", "max");
  floorRow(runs);
  halter::Linker linker;
  linker.defineFunc("env", "tick", halter::FuncType{},
                    [](halter::CallContext &, auto, auto) { return halter::HostResult::ok(); });
  bool ok = true;
  for (const char *shape : {"spin", "recurse_loop", "straight_line", "bulk", "grow", "host_loop"}) {
    bool is_straight = std::string(shape) == "straight_line";
    halter::Limits limits;
    limits.max_memory_bytes = 8u << 20;
    auto inst = linker.instantiate(is_straight ? straight : module, limits);
    if (!inst) return false;
    ok = overshootRow(**inst, shape, limits, runs) && ok;
  }
  // Loops of every branch form and bulk operations over 4 GiB.
  auto inst = linker.instantiate(stops);
  if (!inst) return false;
  for (const char *shape : {"loop_br", "loop_br_if", "loop_cmp", "loop_add_cmp", "loop_br_table",
                            "loop_nested", "fill_4gib", "copy_4gib", "table_fill_10m"}) {
    ok = overshootRow(**inst, shape, {}, runs) && ok;
  }
  std::printf("\n");
  return ok;
}

} // namespace

int main(int argc, char **argv) {
  int reps = 5, runs = 100;
  bool quick = false, overshoot_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
      reps = 1;
      runs = 3;
    } else if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--overshoot-only") {
      overshoot_only = true;
    } else if (arg == "--no-deadline-signal") {
      g_signal_off = true;
      halter::useDeadlineSignal(false);
    } else {
      std::printf("usage: limits_bench [--quick] [--reps K] [--runs N] [--overshoot-only] "
                  "[--no-deadline-signal]\n");
      return 2;
    }
  }
  bool ok = overshoot_only || overheadTable(reps, quick);
  ok = overshootTable(runs) && ok;
  return ok ? 0 : 1;
}
