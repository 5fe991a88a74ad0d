// Runs the WebAssembly core spec suite (wast2json output) against halter.
//
//   spec_runner [--dir DIR] [--verbose] [--simd] [--strict-traps] [--metered] [--no-fork]
//               [--max-failures N] [--timeout SECONDS] [FILTER...]
//
// FILTER is a script name ("i32", "i32.wast"), a glob ("table_*") or a path to
// a .json. Each script runs in a forked child so that a crash or a hang in the
// engine is reported against its file and line instead of ending the run.
#include "wast_script.h"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fnmatch.h>
#include <string>
#include <vector>

#ifndef HALTER_SPEC_JSON_DIR
#define HALTER_SPEC_JSON_DIR "spec"
#endif

namespace fs = std::filesystem;
using halter::spec::ScriptOptions;
using halter::spec::ScriptProgress;

namespace {

struct RunnerOptions {
  std::string dir = HALTER_SPEC_JSON_DIR;
  bool simd = false;
  bool fork_per_file = true;
  unsigned timeout_seconds = 60;
  ScriptOptions script;
  std::vector<std::string> filters;
};

void printUsage() {
  std::printf(
      "usage: spec_runner [options] [FILTER...]\n"
      "  FILTER            script name (i32, i32.wast), glob (table_*), or path to a .json\n"
      "  --dir DIR         folder with the converted .json/.wasm files (default %s)\n"
      "  --simd            also run the simd_* scripts (skipped otherwise)\n"
      "  --verbose         print every command, not only failures\n"
      "  --strict-traps    fail assert_trap when the trap kind differs from the script's text\n"
      "  --metered         run every call with fuel metering on (an ample budget)\n"
      "  --max-failures N  failure lines printed per file (default 20)\n"
      "  --timeout S       seconds allowed per file (default 60)\n"
      "  --no-fork         run scripts in this process (for debuggers)\n"
      "Exit status is 0 only when no command failed.\n",
      HALTER_SPEC_JSON_DIR);
}

bool parseUnsigned(const char *text, unsigned &out) {
  const char *end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, out);
  return ec == std::errc() && ptr == end;
}

// Returns false on a usage error.
bool parseArgs(int argc, char **argv, RunnerOptions &options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto needValue = [&](unsigned &out) { return i + 1 < argc && parseUnsigned(argv[++i], out); };
    if (arg == "--dir" && i + 1 < argc) {
      options.dir = argv[++i];
    } else if (arg == "--simd") {
      options.simd = true;
    } else if (arg == "--verbose" || arg == "-v") {
      options.script.verbose = true;
    } else if (arg == "--metered") {
      options.script.metered = true;
    } else if (arg == "--strict-traps") {
      options.script.strict_traps = true;
    } else if (arg == "--no-fork") {
      options.fork_per_file = false;
    } else if (arg == "--max-failures") {
      unsigned n = 0;
      if (!needValue(n)) return false;
      options.script.max_failure_lines = n;
    } else if (arg == "--timeout") {
      if (!needValue(options.timeout_seconds)) return false;
    } else if (!arg.empty() && arg[0] == '-') {
      return false;
    } else {
      options.filters.push_back(arg);
    }
  }
  return true;
}

std::string stemOf(const std::string &name) {
  std::string stem = fs::path(name).filename().string();
  for (const char *ext : {".json", ".wast"}) {
    size_t n = std::strlen(ext);
    if (stem.size() > n && stem.compare(stem.size() - n, n, ext) == 0) stem.resize(stem.size() - n);
  }
  return stem;
}

std::vector<std::string> findScripts(const RunnerOptions &options) {
  std::vector<std::string> all;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(options.dir, ec)) {
    if (entry.path().extension() == ".json") all.push_back(entry.path().string());
  }
  std::sort(all.begin(), all.end());
  if (options.filters.empty()) return all;

  std::vector<std::string> chosen;
  for (const std::string &filter : options.filters) {
    if (filter.size() > 5 && filter.ends_with(".json") && fs::exists(filter)) {
      chosen.push_back(filter);
      continue;
    }
    std::string pattern = stemOf(filter);
    bool any = false;
    for (const std::string &path : all) {
      if (fnmatch(pattern.c_str(), stemOf(path).c_str(), 0) == 0) {
        chosen.push_back(path);
        any = true;
      }
    }
    if (!any) std::printf("warning: no script matches \"%s\"\n", filter.c_str());
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

// Runs one script in a child process; its progress lives in shared memory so a
// crash still tells how far it got. The child's output (failure lines) comes
// back through a pipe into `details`, to be printed under the file's summary.
void runForked(const std::string &path, const RunnerOptions &options, ScriptProgress &out,
               std::string &details) {
  void *mem = mmap(nullptr, sizeof(ScriptProgress), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  int fds[2];
  if (mem == MAP_FAILED || pipe(fds) != 0) {
    if (mem != MAP_FAILED) munmap(mem, sizeof(ScriptProgress));
    halter::spec::runScript(path, options.script, out);
    return;
  }
  auto *shared = new (mem) ScriptProgress();
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[1]);
    alarm(options.timeout_seconds);
    halter::spec::runScript(path, options.script, *shared);
    std::fflush(stdout);
    std::exit(0);
  }
  close(fds[1]);
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(fds[0], buffer, sizeof buffer)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    details.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  bool waited = pid > 0 && waitpid(pid, &status, 0) == pid;
  out = *shared;
  char line[256];
  line[0] = 0;
  if (!waited) {
    ++out.failed;
    std::snprintf(line, sizeof line, "  cannot run a child process for this script\n");
  } else if (WIFSIGNALED(status)) {
    ++out.failed;
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) {
      std::snprintf(line, sizeof line, "  line %u: %s: TIMEOUT after %u s\n", out.line, out.command,
                    options.timeout_seconds);
    } else {
      std::snprintf(line, sizeof line, "  line %u: %s: CRASHED with signal %d (%s)\n", out.line,
                    out.command, sig, strsignal(sig));
    }
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    ++out.failed;
    std::snprintf(line, sizeof line, "  line %u: %s: child exited with status %d\n", out.line,
                  out.command, WEXITSTATUS(status));
  }
  details += line;
  munmap(mem, sizeof(ScriptProgress));
}

} // namespace

int main(int argc, char **argv) {
  RunnerOptions options;
  if (!parseArgs(argc, argv, options)) {
    printUsage();
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> scripts = findScripts(options);
  if (scripts.empty()) {
    std::printf("no scripts found in %s\n", options.dir.c_str());
    return 1;
  }

  ScriptProgress total;
  for (const std::string &path : scripts) {
    std::string stem = stemOf(path);
    ScriptProgress progress;
    std::string details;
    if (stem.starts_with("simd_") && !options.simd) {
      progress.skipped = halter::spec::countCommands(path);
    } else if (options.fork_per_file) {
      runForked(path, options, progress, details);
    } else {
      halter::spec::runScript(path, options.script, progress);
    }
    std::printf("%s.wast: %llu passed, %llu failed, %llu skipped\n", stem.c_str(),
                static_cast<unsigned long long>(progress.passed),
                static_cast<unsigned long long>(progress.failed),
                static_cast<unsigned long long>(progress.skipped));
    std::fputs(details.c_str(), stdout);
    std::fflush(stdout);
    total.passed += progress.passed;
    total.failed += progress.failed;
    total.skipped += progress.skipped;
    total.trap_text_mismatches += progress.trap_text_mismatches;
  }

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (total.trap_text_mismatches && !options.script.strict_traps) {
    std::printf("note: %llu assert_trap commands trapped with a kind whose text differs from "
                "the script's (see --strict-traps)\n",
                static_cast<unsigned long long>(total.trap_text_mismatches));
  }
  std::printf("elapsed: %.2f s\n", seconds);
  std::printf("%llu passed, %llu failed, %llu skipped\n",
              static_cast<unsigned long long>(total.passed),
              static_cast<unsigned long long>(total.failed),
              static_cast<unsigned long long>(total.skipped));
  return total.failed == 0 ? 0 : 1;
}
