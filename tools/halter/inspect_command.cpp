#include "commands.h"
#include "exit_status.h"
#include "module_file.h"

#include <fmt/core.h>

namespace halter::cli {

namespace {

std::string describeLimits(const SizeLimits &limits) {
  if (limits.max) return fmt::format("min {} max {}", limits.min, *limits.max);
  return fmt::format("min {}", limits.min);
}

std::string describeImportType(const ImportInfo &import) {
  switch (import.kind) {
  case ExternKind::Func:
    return import.func.describe();
  case ExternKind::Table:
    return fmt::format("{} {}", valTypeName(import.table.elem),
                       describeLimits(import.table.limits));
  case ExternKind::Memory:
    return describeLimits(import.memory.limits) + " pages";
  case ExternKind::Global:
    return fmt::format("{}{}", import.global.is_mutable ? "mut " : "",
                       valTypeName(import.global.type));
  }
  return "?";
}

} // namespace

int inspectCommand(const std::string &path, const std::string &max_module_size) {
  int status = kExitOk;
  uint64_t size = 0;
  auto compiled = compileModuleFile(path, max_module_size, &status, &size);
  if (!compiled) return status;
  const Module &module = *compiled;
  fmt::print("module {} ({} bytes)\n", path, size);

  fmt::print("sections ({}):\n", module.sections().size());
  for (const SectionInfo &s : module.sections()) {
    fmt::print("  {:>2} {:<16} offset 0x{:08x} size {}\n", s.id, s.name, s.offset, s.size);
  }

  fmt::print("imports ({}):\n", module.imports().size());
  for (const ImportInfo &import : module.imports()) {
    fmt::print("  {:<6} {}.{} {}\n", externKindName(import.kind), import.module, import.name,
               describeImportType(import));
  }

  fmt::print("exports ({}):\n", module.exports().size());
  for (const ExportInfo &e : module.exports()) {
    std::string detail = fmt::format("index {}", e.index);
    if (e.kind == ExternKind::Func) {
      if (const FuncType *type = module.exportedFuncType(e.name)) detail = type->describe();
    }
    fmt::print("  {:<6} {} {}\n", externKindName(e.kind), e.name, detail);
  }
  return kExitOk;
}

} // namespace halter::cli
