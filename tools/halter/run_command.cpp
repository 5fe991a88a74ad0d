#include "commands.h"
#include "exit_status.h"
#include "module_file.h"
#include "value_text.h"

#include <fmt/core.h>

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

} // namespace

int runCommand(const RunOptions &options) {
  auto bytes = readModuleFile(options.path);
  if (!bytes) {
    fmt::print(stderr, "error: cannot read {}\n", bytes.error().message);
    return kExitInvalid;
  }
  auto module = Module::compile(*bytes);
  if (!module) {
    fmt::print(stderr, "error: {}\n", module.error().describe());
    return kExitInvalid;
  }
  const FuncType *type = (*module)->exportedFuncType(options.function);
  if (!type) {
    fmt::print(stderr, "error: no exported function \"{}\"; exported functions: {}\n",
               options.function, functionExports(**module));
    return kExitUsage;
  }
  if (options.args.size() != type->params.size()) {
    fmt::print(stderr, "error: {} takes {} argument(s), {} given; its type is {}\n",
               options.function, type->params.size(), options.args.size(), type->describe());
    return kExitUsage;
  }
  std::vector<Value> args;
  for (size_t i = 0; i < options.args.size(); ++i) {
    auto value = parseValue(type->params[i], options.args[i]);
    if (!value) {
      fmt::print(stderr, "error: argument {}: {}\n", i + 1, value.error().message);
      return kExitUsage;
    }
    args.push_back(*value);
  }

  Linker linker;
  auto instance = linker.instantiate(*module, options.config);
  if (!instance) {
    fmt::print(stderr, "error: {}\n", instance.error().describe());
    return exitStatusFor(instance.error());
  }
  auto outcome = (*instance)->call(options.function, args);
  if (!outcome) {
    fmt::print(stderr, "error: {}\n", outcome.error().describe());
    return kExitInvalid;
  }
  switch (outcome->kind) {
  case OutcomeKind::Returned:
    for (const Value &v : outcome->results) fmt::print("{}\n", formatValue(v));
    break;
  case OutcomeKind::Trapped:
    printTrap(outcome->trap);
    break;
  case OutcomeKind::Exited:
    fmt::print(stderr, "exited with code {}\n", outcome->exit_code);
    break;
  default:
    fmt::print(stderr, "{}\n", outcomeKindName(outcome->kind));
    break;
  }
  return exitStatusFor(outcome->kind);
}

} // namespace halter::cli
