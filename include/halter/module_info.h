// What a compiled module declares: its imports, exports and sections
// (Module::imports/exports/sections).
#pragma once

#include "halter/types.h"

#include <cstdint>
#include <string>

namespace halter {

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  FuncType func;     // when kind == Func
  TableType table;   // when kind == Table
  MemoryType memory; // when kind == Memory
  GlobalType global; // when kind == Global
};

struct ExportInfo {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0; // in the module's index space of that kind
};

struct SectionInfo {
  uint8_t id = 0;
  std::string name; // "type", "code", ... or the custom section's own name
  uint64_t offset = 0;
  uint64_t size = 0;
};

} // namespace halter
