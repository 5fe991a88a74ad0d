#include "commands.h"
#include "exit_status.h"
#include "module_file.h"

#include <fmt/core.h>

#include <charconv>
#include <optional>

namespace halter::cli {

namespace {

// `func` as a function index, or the index of the function exported as `func`.
std::optional<uint32_t> functionIndex(const Module &module, const std::string &func) {
  uint32_t index = 0;
  auto r = std::from_chars(func.data(), func.data() + func.size(), index);
  if (r.ec == std::errc() && r.ptr == func.data() + func.size()) return index;
  for (const ExportInfo &e : module.exports()) {
    if (e.kind == ExternKind::Func && e.name == func) return e.index;
  }
  return std::nullopt;
}

} // namespace

int disasmCommand(const DisasmOptions &options) {
  int status = kExitOk;
  auto compiled = compileModuleFile(options.path, options.max_module_size, &status);
  if (!compiled) return status;
  const Module &module = *compiled;
  Result<std::string> text = std::string();
  if (options.func.empty()) {
    text = module.disassembleAll(options.metered);
  } else {
    auto index = functionIndex(module, options.func);
    if (!index) {
      fmt::print(stderr, "error: no function {} (give an index or an exported function's name)\n",
                 options.func);
      return kExitUsage;
    }
    text = module.disassemble(*index, options.metered);
  }
  if (!text) {
    fmt::print(stderr, "error: {}\n", text.error().message);
    return kExitUsage;
  }
  fmt::print("{}", *text);
  return kExitOk;
}

} // namespace halter::cli
