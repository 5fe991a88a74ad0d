#include "commands.h"
#include "exit_status.h"
#include "halter/file_bytes.h"
#include "halter/limit_text.h"
#include "module_file.h"
#include "value_text.h"
#include "wasi_options.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fmt/core.h>
#include <pthread.h>
#include <sys/resource.h>
#include <thread>

namespace halter::cli {

namespace {

void printTrap(const Trap &trap) {
  fmt::print(stderr, "trap: {}: {}", trapKindName(trap.kind), trapKindText(trap.kind));
  if (!trap.message.empty()) fmt::print(stderr, ": {}", trap.message);
  fmt::print(stderr, "\n");
  for (size_t i = 0; i < trap.backtrace.size(); ++i) {
    const BacktraceFrame &frame = trap.backtrace[i];
    fmt::print(stderr, "  #{} func[{}]{}{} at byte 0x{:x}\n", i, frame.func_index,
               frame.func_name.empty() ? "" : " ", frame.func_name, frame.code_offset);
  }
}

std::string functionExports(const Module &module) {
  std::string names;
  for (const ExportInfo &e : module.exports()) {
    if (e.kind != ExternKind::Func) continue;
    if (!names.empty()) names += ", ";
    names += e.name;
  }
  return names.empty() ? "(none)" : names;
}

Result<Limits> limitsFrom(const RunOptions &options) {
  Limits limits;
  if (!options.fuel.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.fuel, parseFuel(options.fuel, "--fuel"));
  }
  if (!options.timeout.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.timeout, parseDuration(options.timeout));
  }
  if (!options.max_memory.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.max_memory_bytes, parseSize(options.max_memory));
  }
  if (!options.max_stack.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.max_stack_bytes, parseSize(options.max_stack));
  }
  if (options.max_call_depth == 0)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "--max-call-depth must be at least 1");
  limits.max_call_depth = options.max_call_depth;
  limits.max_table_elements = options.max_table_elements;
  return limits;
}

// Ctrl-C cancels the guest (exit status 7) instead of killing the process:
// a thread waits for SIGINT, which every other thread blocks.
void cancelOnInterrupt(const CancelToken &token) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, token] {
    int sig = 0;
    if (sigwait(&set, &sig) == 0) token.cancel();
  }).detach();
}

// The process's peak resident set (compiled code, instance memory, stacks
// and halter itself), in bytes.
uint64_t peakRssBytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return uint64_t(usage.ru_maxrss) * 1024; // Linux reports KiB
}

void printStats(const Outcome &outcome, const Limits &limits, const Module &module, bool eager) {
  const ModuleStats m = module.stats();
  fmt::print(stderr, "compile:     {} (decode, validate{})\n", formatDuration(m.compile_time),
             eager ? ", lower every function" : "");
  fmt::print(stderr, "lowered:     {} of {} functions{}, {} of code\n",
             std::max(m.lowered, m.lowered_metered), m.functions,
             m.lowered_metered == 0 ? "" : " (metered)", formatSize(m.code_bytes));
  const RunStats &s = outcome.stats;
  fmt::print(stderr, "outcome:     {}\n", outcomeKindName(outcome.kind));
  if (limits.fuel)
    fmt::print(stderr, "fuel used:   {} of {}\n", s.fuel_used, *limits.fuel);
  else if (s.fuel_used != 0) // a resumed execution keeps its metering
    fmt::print(stderr, "fuel used:   {}\n", s.fuel_used);
  else
    fmt::print(stderr, "fuel used:   unmetered (no --fuel)\n");
  fmt::print(stderr, "wall time:   {}\n", formatDuration(s.wall_time));
  fmt::print(stderr, "peak memory: {}{}\n", formatSize(s.peak_memory_bytes),
             s.memory_cap_hit ? " (a grow was refused by --max-memory)" : "");
  if (s.table_cap_hit) fmt::print(stderr, "table:       a grow was refused by the table cap\n");
  fmt::print(stderr, "peak RSS:    {} (the whole process)\n", formatSize(peakRssBytes()));
}

bool importsWasi(const Module &module) {
  for (const ImportInfo &import : module.imports())
    if (import.module == "wasi_snapshot_preview1") return true;
  return false;
}

bool exportsFunction(const Module &module, std::string_view name) {
  return module.exportedFuncType(name) != nullptr;
}

// Prints what the outcome means; returns the exit status. A guest that
// exited (WASI proc_exit) gives its own code.
int reportOutcome(const Outcome &outcome, const RunOptions &options, const Limits &limits,
                  const Module &module) {
  switch (outcome.kind) {
  case OutcomeKind::Returned:
    for (const Value &v : outcome.results) fmt::print("{}\n", formatValue(v));
    break;
  case OutcomeKind::Trapped:
    printTrap(outcome.trap);
    break;
  case OutcomeKind::Exited:
    break;
  case OutcomeKind::OutOfFuel:
    fmt::print(stderr, "out of fuel after {} units\n", outcome.stats.fuel_used);
    break;
  case OutcomeKind::DeadlineExceeded:
    fmt::print(stderr, "deadline exceeded after {}\n", formatDuration(outcome.stats.wall_time));
    break;
  default:
    fmt::print(stderr, "{}\n", outcomeKindName(outcome.kind));
    break;
  }
  if (options.stats) printStats(outcome, limits, module, options.eager);
  if (outcome.kind == OutcomeKind::Exited) return outcome.exit_code;
  return exitStatusFor(outcome.kind);
}

// --suspend-on: each MODULE.NAME function import answers by suspending the
// guest; with `every_other`, so does each function import not of WASI
// (resume, which cannot know which one a run named).
Result<void> defineSuspending(Linker &linker, const Module &module,
                              const std::vector<std::string> &names, bool every_other) {
  auto suspend = [](CallContext &, std::span<const Value>, std::span<Value>) {
    return HostResult::suspend();
  };
  auto define = [&](const ImportInfo &import) {
    const std::vector<ValType> &r = import.func.results;
    // A one-integer result can carry an error code (resume --error).
    const bool code = r.size() == 1 && (r[0] == ValType::I32 || r[0] == ValType::I64);
    linker.defineFunc(import.module, import.name, import.func, suspend,
                      code ? HostErrors::NegativeCode : HostErrors::Trap);
  };
  for (const std::string &name : names) {
    const size_t dot = name.find('.');
    bool found = false;
    for (const ImportInfo &import : module.imports()) {
      if (dot == std::string::npos || import.kind != ExternKind::Func ||
          import.module != name.substr(0, dot) || import.name != name.substr(dot + 1))
        continue;
      define(import);
      found = true;
    }
    if (!found)
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "--suspend-on " + name + ": the module imports no function " + name +
                           " (give MODULE.NAME)");
  }
  if (every_other && names.empty()) {
    for (const ImportInfo &import : module.imports())
      if (import.kind == ExternKind::Func && import.module != "wasi_snapshot_preview1" &&
          import.module != "halter")
        define(import);
  }
  return okResult();
}

std::string callText(const PendingCall &call) {
  std::string args;
  for (const Value &v : call.args) args += (args.empty() ? "" : ", ") + formatValue(v);
  return call.module + "." + call.name + "(" + args + ")";
}

// Writes `bytes` to `path` whole or not at all (a new file renamed over it).
Result<void> writeFileAtomically(const std::string &path, const std::vector<uint8_t> &bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return makeError(ErrorCode::InvalidArgument, kNoOffset, "cannot write " + tmp);
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "cannot write " + path);
  }
  return okResult();
}

// The end of a run that may park: a suspended or out-of-fuel execution is
// saved to `snapshot_to` when given; everything else is reported as run
// reports it.
// A WASI program's snapshot carries its WASI state (`wasi`, null otherwise).
int finishRun(Execution &ex, const Outcome &outcome, const RunOptions &options,
              const std::string &snapshot_to, const Limits &limits, const Module &module,
              const WasiContext *wasi) {
  const bool parked =
      outcome.kind == OutcomeKind::Suspended || outcome.kind == OutcomeKind::OutOfFuel;
  if (!parked || snapshot_to.empty()) {
    if (outcome.kind == OutcomeKind::Suspended)
      fmt::print(stderr, "suspended in {} (not saved: no --snapshot-to)\n",
                 callText(outcome.pending));
    return reportOutcome(outcome, options, limits, module);
  }
  SnapshotOptions snapshot_options;
  if (wasi) {
    auto state = wasi->saveState();
    if (!state) {
      fmt::print(stderr, "error: {}\n", state.error().message);
      return kExitSnapshot;
    }
    snapshot_options.host_state = std::move(*state);
  }
  auto bytes = ex.snapshot(snapshot_options);
  if (!bytes) {
    fmt::print(stderr, "error: {}\n", bytes.error().message);
    return kExitSnapshot;
  }
  if (auto w = writeFileAtomically(snapshot_to, *bytes); !w) {
    fmt::print(stderr, "error: {}\n", w.error().message);
    return kExitUsage;
  }
  if (options.stats) printStats(outcome, limits, module, options.eager);
  if (outcome.kind == OutcomeKind::OutOfFuel) {
    fmt::print(stderr,
               "out of fuel after {} units; saved to {} ({} bytes); continue with: halter "
               "resume {} {} --add-fuel N\n",
               outcome.stats.fuel_used, snapshot_to, bytes->size(), options.path, snapshot_to);
    return kExitOutOfFuel;
  }
  fmt::print(stderr,
             "suspended in {}; saved to {} ({} bytes); answer with: halter resume {} {} "
             "--value V (or --error MESSAGE)\n",
             callText(outcome.pending), snapshot_to, bytes->size(), options.path, snapshot_to);
  return kExitSuspended;
}

// Timeouts count from now; --timeout and Ctrl-C cover the whole run.
CallOptions callOptionsFor(Limits &limits) {
  if (limits.timeout) {
    Clock::time_point now = Clock::now();
    if (*limits.timeout < Clock::time_point::max() - now) limits.deadline = now + *limits.timeout;
    limits.timeout.reset();
  }
  CallOptions call_options;
  call_options.cancel = CancelToken::create();
  call_options.limits = limits;
  cancelOnInterrupt(call_options.cancel);
  return call_options;
}

} // namespace

int runCommand(const RunOptions &options) {
  auto limits = limitsFrom(options);
  if (!limits) {
    fmt::print(stderr, "error: {}\n", limits.error().message);
    return kExitUsage;
  }
  // A command runs _start with its arguments as argv; --invoke calls one
  // export with typed arguments.
  bool command = options.function.empty();
  // Bad --dir, --env or --stdin fail before a large module is compiled.
  std::vector<std::string> argv{options.path};
  if (command) argv.insert(argv.end(), options.args.begin(), options.args.end());
  std::shared_ptr<WasiContext> context = wasiContextFrom(options, argv);
  if (!context) return kExitUsage;
  int status = kExitOk;
  // --eager lowers the one form the run uses: metered with --fuel.
  CompileOptions compile_options;
  if (options.eager)
    compile_options.lowering = limits->fuel ? Lowering::EagerMetered : Lowering::Eager;
  std::shared_ptr<const Module> module =
      compileModuleFile(options.path, options.max_module_size, &status, nullptr, compile_options);
  if (!module) return status;

  std::string function = command ? "_start" : options.function;
  const FuncType *type = module->exportedFuncType(function);
  if (!type) {
    if (command)
      fmt::print(stderr,
                 "error: {} exports no _start (not a WASI command); use --invoke NAME, "
                 "exported functions: {}\n",
                 options.path, functionExports(*module));
    else
      fmt::print(stderr, "error: no exported function \"{}\"; exported functions: {}\n", function,
                 functionExports(*module));
    return kExitUsage;
  }
  std::vector<Value> args;
  if (!command) {
    if (options.args.size() != type->params.size()) {
      fmt::print(stderr, "error: {} takes {} argument(s), {} given; its type is {}\n", function,
                 type->params.size(), options.args.size(), type->describe());
      return kExitUsage;
    }
    for (size_t i = 0; i < options.args.size(); ++i) {
      auto value = parseValue(type->params[i], options.args[i]);
      if (!value) {
        fmt::print(stderr, "error: argument {}: {}\n", i + 1, value.error().message);
        return kExitUsage;
      }
      args.push_back(*value);
    }
  }

  Linker linker;
  if (importsWasi(*module)) {
    // A guest writing to a closed pipe gets EPIPE, not a dead halter.
    std::signal(SIGPIPE, SIG_IGN);
    addWasiToLinker(linker, context);
  } else if (!options.dirs.empty() || !options.env.empty() || !options.stdin_path.empty()) {
    fmt::print(stderr, "note: the module does not import WASI; --dir, --env and --stdin have no "
                       "effect\n");
  }
  if (auto r = defineSuspending(linker, *module, options.suspend_on, false); !r) {
    fmt::print(stderr, "error: {}\n", r.error().message);
    return kExitUsage;
  }
  // The start function, _initialize and the call share one deadline and
  // one cancel token.
  CallOptions call_options = callOptionsFor(*limits);
  auto instance = linker.instantiate(module, *limits, call_options.cancel);
  if (!instance) {
    fmt::print(stderr, "error: {}\n", instance.error().describe());
    return exitStatusFor(instance.error());
  }
  // A reactor initialises itself before its exports are used.
  if (!command && exportsFunction(*module, "_initialize")) {
    auto init = (*instance)->call("_initialize", {}, call_options);
    if (!init) {
      fmt::print(stderr, "error: _initialize: {}\n", init.error().describe());
      return kExitInvalid;
    }
    if (!init->returned()) {
      fmt::print(stderr, "_initialize did not return:\n");
      return reportOutcome(*init, options, *limits, *module);
    }
  }
  if (!options.suspend_on.empty() || !options.snapshot_to.empty()) {
    // An execution that can park (and be saved) rather than a call.
    auto ex = (*instance)->start(function, args, call_options);
    auto outcome = ex ? ex->run() : Result<Outcome>(ex.error());
    if (!outcome) {
      fmt::print(stderr, "error: {}\n", outcome.error().describe());
      return kExitInvalid;
    }
    return finishRun(*ex, *outcome, options, options.snapshot_to, *limits, *module,
                     importsWasi(*module) ? context.get() : nullptr);
  }
  auto outcome = (*instance)->call(function, args, call_options);
  if (!outcome) {
    fmt::print(stderr, "error: {}\n", outcome.error().describe());
    return kExitInvalid;
  }
  return reportOutcome(*outcome, options, *limits, *module);
}

int resumeCommand(const ResumeOptions &options) {
  const RunOptions &run = options.run;
  auto limits = limitsFrom(run);
  if (!limits) {
    fmt::print(stderr, "error: {}\n", limits.error().message);
    return kExitUsage;
  }
  std::optional<uint64_t> add_fuel;
  if (!options.add_fuel.empty()) {
    auto units = parseFuel(options.add_fuel, "--add-fuel");
    if (!units) {
      fmt::print(stderr, "error: {}\n", units.error().message);
      return kExitUsage;
    }
    add_fuel = *units;
  }
  if (options.error && !options.values.empty()) {
    fmt::print(stderr, "error: give --value or --error, not both\n");
    return kExitUsage;
  }
  // The restorer's grants: --dir preopens (matched to the saved ones by
  // guest name) and stdio; args, env and clocks come from the snapshot.
  auto grants = wasiConfigFrom(run, {run.path});
  if (!grants) {
    fmt::print(stderr, "error: {}\n", grants.error().message);
    return kExitUsage;
  }
  std::shared_ptr<WasiContext> context = wasiContextFrom(run, {run.path});
  if (!context) return kExitUsage;
  int status = kExitOk;
  std::shared_ptr<const Module> module =
      compileModuleFile(run.path, run.max_module_size, &status, nullptr, {});
  if (!module) return status;
  // A snapshot holds at most the module's memories and the stack.
  auto bytes = readFileBytes(options.snapshot, uint64_t(1) << 40);
  if (!bytes) {
    fmt::print(stderr, "error: {}\n", bytes.error().message);
    return kExitInvalid;
  }
  Linker linker;
  if (importsWasi(*module)) {
    std::signal(SIGPIPE, SIG_IGN);
    addWasiToLinker(linker, context);
  }
  if (auto r = defineSuspending(linker, *module, run.suspend_on, true); !r) {
    fmt::print(stderr, "error: {}\n", r.error().message);
    return kExitUsage;
  }
  CallOptions call_options = callOptionsFor(*limits);
  auto restored = linker.restoreExecution(module, *bytes, *limits, call_options.cancel);
  if (!restored) {
    fmt::print(stderr, "error: {}: {}\n", options.snapshot, restored.error().describe());
    return exitStatusFor(restored.error());
  }
  Execution &ex = restored->execution;
  const bool wasi = importsWasi(*module);
  if (wasi && !restored->host_state.empty()) {
    if (auto r = context->restoreState(restored->host_state, *grants); !r) {
      // Whatever the cause (a missing --dir, a file gone), this snapshot
      // cannot continue here.
      fmt::print(stderr, "error: {}: {}\n", options.snapshot, r.error().message);
      return kExitSnapshot;
    }
  }
  for (const std::string &write : options.writes) {
    const size_t eq = write.find('=');
    auto addr = eq == std::string::npos
                    ? Result<Value>(makeError(ErrorCode::InvalidArgument, kNoOffset, "no ="))
                    : parseValue(ValType::I32, write.substr(0, eq));
    if (!addr) {
      fmt::print(stderr, "error: --write-memory {}: give ADDR=TEXT\n", write);
      return kExitUsage;
    }
    const std::string text = write.substr(eq + 1);
    auto w = ex.writeMemory(
        addr->asI32(),
        std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
    if (!w) {
      fmt::print(stderr, "error: --write-memory {}: {}\n", write, w.error().message);
      return kExitUsage;
    }
  }
  if (ex.suspended()) {
    // The pending call, as the restored execution reports it.
    auto again = ex.run();
    Outcome pending = again ? *again : Outcome{};
    const FuncType *type = nullptr;
    for (const ImportInfo &import : module->imports())
      if (import.kind == ExternKind::Func && import.module == pending.pending.module &&
          import.name == pending.pending.name)
        type = &import.func;
    if (options.error) {
      if (auto r = ex.resumeWithError(*options.error); !r) {
        fmt::print(stderr, "error: {}\n", r.error().message);
        return kExitUsage;
      }
    } else {
      std::vector<Value> results;
      const size_t n = type ? type->results.size() : 0;
      if (options.values.size() != n) {
        fmt::print(stderr, "error: {} returns {} value(s); give --value for each ({} given)\n",
                   callText(pending.pending), n, options.values.size());
        return kExitUsage;
      }
      for (size_t i = 0; i < n; ++i) {
        auto v = parseValue(type->results[i], options.values[i]);
        if (!v) {
          fmt::print(stderr, "error: --value {}: {}\n", options.values[i], v.error().message);
          return kExitUsage;
        }
        results.push_back(*v);
      }
      if (auto r = ex.resume(results); !r) {
        fmt::print(stderr, "error: {}\n", r.error().message);
        return kExitUsage;
      }
    }
  } else if (options.error || !options.values.empty()) {
    fmt::print(stderr, "error: the execution stopped out of fuel, not in a host call: it takes "
                       "--add-fuel, not --value or --error\n");
    return kExitUsage;
  }
  if (add_fuel) ex.addFuel(*add_fuel);
  auto outcome = ex.run();
  if (!outcome) {
    fmt::print(stderr, "error: {}\n", outcome.error().describe());
    return kExitInvalid;
  }
  const std::string &to = run.snapshot_to.empty() ? options.snapshot : run.snapshot_to;
  return finishRun(ex, *outcome, run, to, *limits, *module, wasi ? context.get() : nullptr);
}

} // namespace halter::cli
