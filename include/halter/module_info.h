// What a compiled module declares: its imports, exports and sections
// (Module::imports/exports/sections).
#pragma once

#include "halter/types.h"

#include <chrono>
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
  FuncType func;      // when kind == Func
  TableType table;    // when kind == Table (the declared type)
  MemoryType memory;  // when kind == Memory (the declared type)
  GlobalType global;  // when kind == Global
};

struct SectionInfo {
  uint8_t id = 0;
  std::string name; // "type", "code", ... or the custom section's own name
  uint64_t offset = 0;
  uint64_t size = 0;
};

// Module::stats(): what compiling cost and what has been lowered since.
struct ModuleStats {
  std::chrono::nanoseconds compile_time{0}; // decode, validate and eager lowering
  uint32_t functions = 0;                   // defined functions (imports excluded)
  uint32_t lowered = 0;                     // of those, lowered in the unmetered form
  uint32_t lowered_metered = 0;             // lowered in the metered form
  uint64_t code_bytes = 0;                  // the lowered code of both forms
};

} // namespace halter
