// Mutation robustness: deterministic mutants of the spec suite's modules must
// each end, in this process, in success or a clean error from validate,
// compile and instantiate, within a time limit and a 1 GiB heap limit.
//
//   robustness_test [--dir DIR] [--count N] [--seed S] [--time-limit-ms MS]
//                   [--only I] [--verbose]
#include "alloc_guard.h"
#include "mutator.h"
#include "watchdog.h"

#include "../spec/spectest_module.h"
#include "halter/halter.h"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#ifndef HALTER_SPEC_JSON_DIR
#define HALTER_SPEC_JSON_DIR "spec"
#endif

namespace fs = std::filesystem;
using namespace halter;
using namespace halter::robustness;

namespace {

struct Options {
  std::string dir = HALTER_SPEC_JSON_DIR;
  uint64_t count = 2000;
  uint64_t seed = 20240601;
  uint64_t time_limit_ms = 1000;
  std::optional<uint64_t> only;
  bool verbose = false;
};

bool parseU64(const char *text, uint64_t &out) {
  const char *end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && ptr == end;
}

bool parseArgs(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    uint64_t n = 0;
    if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--dir" && has_value) {
      o.dir = argv[++i];
    } else if (arg == "--count" && has_value && parseU64(argv[++i], n)) {
      o.count = n;
    } else if (arg == "--seed" && has_value && parseU64(argv[++i], n)) {
      o.seed = n;
    } else if (arg == "--time-limit-ms" && has_value && parseU64(argv[++i], n)) {
      o.time_limit_ms = n;
    } else if (arg == "--only" && has_value && parseU64(argv[++i], n)) {
      o.only = n;
    } else {
      return false;
    }
  }
  return true;
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

// The suite's valid non-SIMD modules: mutants of modules that are already
// malformed or invalid would mostly stop at the same early error.
std::vector<std::string> findModules(const std::string &dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".wasm" && !name.starts_with("simd_"))
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  std::erase_if(out, [](const std::string &path) { return !Module::validate(readBytes(path)); });
  return out;
}

bool isDecodeOrValidationError(ErrorCode code) {
  ErrorPhase phase = errorPhase(code);
  return phase == ErrorPhase::Decode || phase == ErrorPhase::Validate;
}

// Instantiation may also meet an implementation limit (a table or memory too
// large for this build), which the table files under decoding.
bool isInstantiationError(ErrorCode code) {
  ErrorPhase phase = errorPhase(code);
  return phase == ErrorPhase::Link || phase == ErrorPhase::Instantiate ||
         code == ErrorCode::ImplementationLimit;
}

bool hasStartSection(const Module &module) {
  for (const SectionInfo &s : module.sections())
    if (s.id == 8) return true;
  return false;
}

struct Stats {
  uint64_t rejected = 0, compiled = 0, instantiated = 0, link_errors = 0, with_start = 0;
  double max_ms = 0;
  uint64_t max_heap_peak = 0;
};

// Empty when the mutant ended cleanly, else what went wrong.
std::string checkMutant(const std::vector<uint8_t> &bytes, Stats &stats) {
  auto valid = Module::validate(bytes);
  auto compiled = Module::compile(bytes);
  if (valid.ok() != compiled.ok()) {
    if (valid.ok() && (compiled.error().code == ErrorCode::ImplementationLimit ||
                       compiled.error().code == ErrorCode::ResourceLimit)) {
      ++stats.rejected;
      return {};
    }
    return valid.ok() ? "validate ok but compile failed: " + compiled.error().describe()
                      : "validate failed (" + valid.error().describe() + ") but compile succeeded";
  }
  if (!compiled) {
    ++stats.rejected;
    const Error &e = compiled.error();
    if (!isDecodeOrValidationError(e.code)) return "unexpected error kind: " + e.describe();
    if (e.code != valid.error().code) {
      return "validate and compile disagree: " + valid.error().describe() + " vs " + e.describe();
    }
    if (e.offset != kNoOffset && e.offset > bytes.size())
      return "error offset past the end of the input: " + e.describe();
    return {};
  }
  ++stats.compiled;
  // A mutated start function may loop for ever: fuel bounds it (and keeps
  // the test deterministic, unlike a deadline).
  if (hasStartSection(**compiled)) ++stats.with_start;
  Linker linker;
  auto spectest = spectest::defineSpectest(linker);
  if (!spectest) return "spectest: " + spectest.error().describe();
  Limits limits;
  limits.fuel = 10'000'000;
  auto instance = linker.instantiate(*compiled, limits);
  if (instance) {
    ++stats.instantiated;
    return {};
  }
  ++stats.link_errors;
  if (!isInstantiationError(instance.error().code))
    return "unexpected instantiation error: " + instance.error().describe();
  return {};
}

uint64_t maxRssBytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parseArgs(argc, argv, options)) {
    std::fprintf(stderr, "usage: robustness_test [--dir DIR] [--count N] [--seed S] "
                         "[--time-limit-ms MS] [--only I] [--verbose]\n");
    return 2;
  }
  std::vector<std::string> modules = findModules(options.dir);
  if (modules.empty()) {
    std::fprintf(stderr, "robustness: no .wasm files in %s\n", options.dir.c_str());
    return 1;
  }

  Watchdog watchdog{std::chrono::milliseconds(options.time_limit_ms)};
  Stats stats;
  uint64_t passed = 0, failed = 0;
  uint64_t first = options.only.value_or(0);
  uint64_t last = options.only ? first + 1 : options.count;
  for (uint64_t i = first; i < last; ++i) {
    // Each mutant has its own seed, so --only I reproduces mutant I alone.
    std::mt19937_64 rng(options.seed * 0x9e3779b97f4a7c15ull + i);
    const std::string &path = modules[rng() % modules.size()];
    Mutant mutant = mutate(readBytes(path), rng);
    std::string what = "mutant #" + std::to_string(i) + " (" + fs::path(path).filename().string() +
                       ": " + mutant.description + ")";
    setAllocationContext(what.c_str());
    resetPeak();
    uint64_t live_before = liveHeapBytes();

    auto start = std::chrono::steady_clock::now();
    watchdog.begin(what);
    std::string problem = checkMutant(mutant.bytes, stats);
    watchdog.done();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    stats.max_ms = std::max(stats.max_ms, ms);
    stats.max_heap_peak = std::max(stats.max_heap_peak, peakHeapBytes() - live_before);
    if (problem.empty() && ms > static_cast<double>(options.time_limit_ms))
      problem = "took " + std::to_string(ms) + " ms";
    if (problem.empty() && maxRssBytes() > kAllocationLimit)
      problem = "resident memory above 1 GiB: " + std::to_string(maxRssBytes()) + " bytes";
    if (problem.empty()) {
      ++passed;
      if (options.verbose) std::printf("ok %s\n", what.c_str());
    } else {
      ++failed;
      std::printf("FAILED %s: %s\n", what.c_str(), problem.c_str());
    }
    setAllocationContext("");
  }

  std::printf(
      "sources: %zu valid modules; mutants: %llu rejected, %llu compiled (%llu instantiated, "
      "%llu link/instantiation errors, %llu with a start function)\n",
      modules.size(), static_cast<unsigned long long>(stats.rejected),
      static_cast<unsigned long long>(stats.compiled),
      static_cast<unsigned long long>(stats.instantiated),
      static_cast<unsigned long long>(stats.link_errors),
      static_cast<unsigned long long>(stats.with_start));
  std::printf("slowest mutant: %.1f ms; largest heap growth: %llu bytes; max RSS: %llu bytes\n",
              stats.max_ms, static_cast<unsigned long long>(stats.max_heap_peak),
              static_cast<unsigned long long>(maxRssBytes()));
  std::printf("%llu passed, %llu failed\n", static_cast<unsigned long long>(passed),
              static_cast<unsigned long long>(failed));
  return failed == 0 ? 0 : 1;
}
