#include "commands.h"
#include "exit_status.h"
#include "halter/limit_text.h"
#include "module_file.h"
#include "value_text.h"
#include "wasi_options.h"

#include <algorithm>
#include <csignal>
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
    HALTER_ASSIGN_OR_RETURN(Value fuel, parseValue(ValType::I64, options.fuel));
    if (options.fuel[0] == '-')
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "--fuel must not be negative");
    limits.fuel = fuel.asI64();
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
  auto config = wasiConfigFrom(options, argv);
  if (!config) {
    fmt::print(stderr, "error: {}\n", config.error().message);
    return kExitUsage;
  }
  auto context = WasiContext::create(*config);
  if (!context) {
    fmt::print(stderr, "error: {}\n", context.error().describe());
    return kExitUsage;
  }
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
    addWasiToLinker(linker, *context);
  } else if (!options.dirs.empty() || !options.env.empty() || !options.stdin_path.empty()) {
    fmt::print(stderr, "note: the module does not import WASI; --dir, --env and --stdin have no "
                       "effect\n");
  }
  // --timeout and Ctrl-C cover the whole run: the start function,
  // _initialize and the call share one deadline and one cancel token.
  if (limits->timeout) {
    Clock::time_point now = Clock::now();
    if (*limits->timeout < Clock::time_point::max() - now)
      limits->deadline = now + *limits->timeout;
    limits->timeout.reset();
  }
  CallOptions call_options;
  call_options.cancel = CancelToken::create();
  call_options.limits = *limits;
  cancelOnInterrupt(call_options.cancel);
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
  auto outcome = (*instance)->call(function, args, call_options);
  if (!outcome) {
    fmt::print(stderr, "error: {}\n", outcome.error().describe());
    return kExitInvalid;
  }
  return reportOutcome(*outcome, options, *limits, *module);
}

} // namespace halter::cli
