// Times the guest kernels in bench/kernels/ three ways in one run: under
// halter (public API only), natively (the same C source built with gcc -O2)
// and under Node's V8, checks that all three agree on the checksum and prints
// the ratios to native. Timings are reported, never judged: the exit status
// only says whether every checksum agreed.
#include "halter/halter.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

extern "C" {
uint32_t kernel_fib_run(uint32_t n);
uint32_t kernel_sieve_run(uint32_t n);
uint32_t kernel_matmul_run(uint32_t n);
uint32_t kernel_hash_run(uint32_t n);
uint32_t kernel_vm_run(uint32_t n);
}

namespace {

using NativeKernel = uint32_t (*)(uint32_t);

struct KernelSpec {
  const char *name;
  NativeKernel native;
  uint32_t n;       // full run
  uint32_t quick_n; // smoke test
};

// Full sizes aim at tens of milliseconds natively, so that a run under an
// interpreter takes a fraction of a second.
// clang-format off
const KernelSpec kKernels[] = {
    {"fib",    kernel_fib_run,    36,    15},
    {"sieve",  kernel_sieve_run,  40,    1},
    {"matmul", kernel_matmul_run, 384,   16},
    {"hash",   kernel_hash_run,   50,    1},
    {"vm",     kernel_vm_run,     50000, 200},
};
// clang-format on

struct Options {
  bool quick = false;
  int reps = 5;
  std::string kernel_dir = HALTER_BENCH_KERNEL_DIR;
  std::string node = "node";
  std::string node_script = HALTER_BENCH_NODE_SCRIPT;
  bool use_node = true;
  std::string only;
  std::optional<uint32_t> n;
};

struct Timing {
  double ms = 0;
  uint32_t checksum = 0;
};

void printUsage() {
  std::printf("usage: kernel_runner [--quick] [--reps K] [--only NAME] [--n N]\n"
              "                     [--kernel-dir DIR] [--node PATH] [--no-node]\n"
              "kernels:");
  for (const auto &k : kKernels) std::printf(" %s", k.name);
  std::printf("\n");
}

bool parseUint(const char *text, uint32_t &out) {
  char *end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

std::optional<Options> parseOptions(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--quick") {
      o.quick = true;
    } else if (arg == "--no-node") {
      o.use_node = false;
    } else if (arg == "--reps" || arg == "--n") {
      const char *v = next();
      uint32_t value = 0;
      if (!v || !parseUint(v, value) || (arg == "--reps" && (value == 0 || value > 1000)))
        return std::nullopt;
      if (arg == "--reps")
        o.reps = static_cast<int>(value);
      else
        o.n = value;
    } else if (arg == "--only" || arg == "--kernel-dir" || arg == "--node") {
      const char *v = next();
      if (!v) return std::nullopt;
      if (arg == "--only")
        o.only = v;
      else if (arg == "--kernel-dir")
        o.kernel_dir = v;
      else
        o.node = v;
    } else {
      return std::nullopt;
    }
  }
  return o;
}

double elapsedMs(std::chrono::steady_clock::time_point since) {
  auto d = std::chrono::steady_clock::now() - since;
  return std::chrono::duration<double, std::milli>(d).count();
}

// Through a volatile pointer so the call cannot be folded at the call site.
Timing timeNativeOnce(NativeKernel fn, uint32_t n) {
  NativeKernel volatile call = fn;
  auto t0 = std::chrono::steady_clock::now();
  uint32_t checksum = call(n);
  return Timing{elapsedMs(t0), checksum};
}

Timing timeNative(NativeKernel fn, uint32_t n, int reps) {
  Timing best{1e300, 0};
  for (int i = 0; i < reps; i++) {
    Timing t = timeNativeOnce(fn, n);
    best = Timing{std::min(best.ms, t.ms), t.checksum};
  }
  return best;
}

std::optional<std::vector<uint8_t>> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Compiles and instantiates once, then times the calls only.
// Native and halter runs alternate, so a slow phase of a shared machine hits
// both columns alike and the ratio stays meaningful.
struct PairTiming {
  Timing native;
  std::optional<Timing> halter;
  std::string error;
};

std::optional<Timing> timeHalter(const std::string &path, uint32_t n, int reps, NativeKernel fn,
                                 Timing &native, std::string &error);

PairTiming timeNativeAndHalter(const std::string &path, NativeKernel fn, uint32_t n, int reps) {
  PairTiming r;
  r.native = Timing{1e300, 0};
  r.halter = timeHalter(path, n, reps, fn, r.native, r.error);
  if (!r.halter) r.native = timeNative(fn, n, reps);
  return r;
}

std::optional<Timing> timeHalter(const std::string &path, uint32_t n, int reps, NativeKernel fn,
                                 Timing &native, std::string &error) {
  auto bytes = readFile(path);
  if (!bytes) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  auto module = halter::Module::compile(*bytes);
  if (!module) {
    error = "compile: " + module.error().describe();
    return std::nullopt;
  }
  halter::Linker linker;
  auto instance = linker.instantiate(*module);
  if (!instance) {
    error = "instantiate: " + instance.error().describe();
    return std::nullopt;
  }
  auto run = (*instance)->getExport("run");
  if (!run) {
    error = "export run: " + run.error().describe();
    return std::nullopt;
  }
  const halter::Value args[] = {halter::Value::i32(n)};
  Timing best{1e300, 0};
  for (int i = 0; i < reps; i++) {
    Timing t = timeNativeOnce(fn, n);
    native = Timing{std::min(native.ms, t.ms), t.checksum};
    auto t0 = std::chrono::steady_clock::now();
    auto outcome = (*instance)->call(*run, args);
    double ms = elapsedMs(t0);
    if (!outcome) {
      error = "call: " + outcome.error().describe();
      return std::nullopt;
    }
    if (!outcome->returned() || outcome->results.size() != 1) {
      error = std::string("call ended ") + halter::outcomeKindName(outcome->kind);
      if (outcome->trapped()) error += ": " + outcome->trap.describe();
      return std::nullopt;
    }
    best.checksum = outcome->results[0].asI32();
    best.ms = std::min(best.ms, ms);
  }
  return best;
}

std::string shellQuote(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs a command and returns its standard output, or nullopt when it fails.
std::optional<std::string> capture(const std::string &command) {
  FILE *pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[256];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, got);
  int status = pclose(pipe);
  if (status != 0) return std::nullopt;
  return out;
}

std::optional<Timing> timeNode(const Options &o, const std::string &path, uint32_t n,
                               std::string &error) {
  auto out = capture(shellQuote(o.node) + " " + shellQuote(o.node_script) + " " + shellQuote(path) +
                     " " + std::to_string(n) + " " + std::to_string(o.reps));
  if (!out) {
    error = "node run failed";
    return std::nullopt;
  }
  Timing t;
  unsigned long checksum = 0;
  if (std::sscanf(out->c_str(), "%lf %lu", &t.ms, &checksum) != 2) {
    error = "unexpected node output: " + *out;
    return std::nullopt;
  }
  t.checksum = static_cast<uint32_t>(checksum);
  return t;
}

std::string cell(const std::optional<double> &v, const char *format) {
  if (!v) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, *v);
  return buf;
}

double geomean(const std::vector<double> &xs) {
  double log_sum = 0;
  for (double x : xs) log_sum += std::log(x);
  return std::exp(log_sum / static_cast<double>(xs.size()));
}

} // namespace

int main(int argc, char **argv) {
  auto parsed = parseOptions(argc, argv);
  if (!parsed) {
    printUsage();
    return 2;
  }
  Options o = *parsed;
  if (o.quick) o.reps = 1;
  bool have_node = o.use_node && capture(shellQuote(o.node) + " --version").has_value();
  if (o.use_node && !have_node) std::printf("note: node not found; node column is n/a\n");

  std::printf("%-8s %8s %12s %12s %12s %13s %11s\n", "kernel", "n", "native ms", "halter ms",
              "node ms", "halter/native", "node/native");
  std::vector<double> halter_ratios, node_ratios;
  bool all_agree = true;
  int ran = 0;
  for (const auto &k : kKernels) {
    if (!o.only.empty() && o.only != k.name) continue;
    ran++;
    uint32_t n = o.n ? *o.n : (o.quick ? k.quick_n : k.n);
    std::string path = o.kernel_dir + "/" + k.name + ".wasm";

    PairTiming pair = timeNativeAndHalter(path, k.native, n, o.reps);
    const Timing &native = pair.native;
    const std::optional<Timing> &halter = pair.halter;
    const std::string &halter_error = pair.error;
    std::string node_error;
    std::optional<Timing> node;
    if (have_node) node = timeNode(o, path, n, node_error);

    std::optional<double> halter_ms, node_ms, halter_ratio, node_ratio;
    if (halter) {
      halter_ms = halter->ms;
      halter_ratio = halter->ms / native.ms;
    }
    if (node) {
      node_ms = node->ms;
      node_ratio = node->ms / native.ms;
    }
    std::printf("%-8s %8u %12.3f %12s %12s %13s %11s\n", k.name, n, native.ms,
                cell(halter_ms, "%.3f").c_str(), cell(node_ms, "%.3f").c_str(),
                cell(halter_ratio, "%.2fx").c_str(), cell(node_ratio, "%.2fx").c_str());

    if (!halter) {
      std::printf("  halter failed: %s\n", halter_error.c_str());
      all_agree = false;
    } else if (halter->checksum != native.checksum) {
      std::printf("  checksum mismatch: halter %u, native %u\n", halter->checksum, native.checksum);
      all_agree = false;
    }
    if (have_node && !node) {
      std::printf("  node failed: %s\n", node_error.c_str());
      all_agree = false;
    } else if (node && node->checksum != native.checksum) {
      std::printf("  checksum mismatch: node %u, native %u\n", node->checksum, native.checksum);
      all_agree = false;
    }
    // Ratios from a checksum mismatch would compare different work.
    if (halter && halter->checksum == native.checksum) halter_ratios.push_back(*halter_ratio);
    if (node && node->checksum == native.checksum) node_ratios.push_back(*node_ratio);
  }
  if (ran == 0) {
    std::printf("no kernel named '%s'\n", o.only.c_str());
    return 2;
  }
  std::optional<double> halter_geo, node_geo;
  if (!halter_ratios.empty()) halter_geo = geomean(halter_ratios);
  if (!node_ratios.empty()) node_geo = geomean(node_ratios);
  std::printf("%-8s %8s %12s %12s %12s %13s %11s\n", "geomean", "", "", "", "",
              cell(halter_geo, "%.2fx").c_str(), cell(node_geo, "%.2fx").c_str());
  std::printf("checksums: %s (best of %d runs each)\n", all_agree ? "all agree" : "MISMATCH",
              o.reps);
  return all_agree ? 0 : 1;
}
