// What Module::compile produces: the decoded module, its functions (lowered
// on first call), and the public descriptions of its imports, exports and
// sections. Immutable once built but for the lazily lowered code and its
// counters; instances share it (rt::Instance::module).
#pragma once

#include "compile/compiled_function.h"
#include "halter/module_info.h"
#include "ir/module.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

namespace halter::compile {

struct CompiledModule {
  ir::Module ir;
  std::vector<CompiledFunction> code; // one per defined function
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::vector<SectionInfo> sections;
  std::chrono::nanoseconds compile_time{0};

  // Held while a form of a function is lowered and published (first calls
  // from several threads lower it once).
  mutable std::mutex lowering_lock;
  // Forms lowered so far (Form::Plain, Form::Metered) and their code words.
  mutable std::atomic<uint32_t> lowered_count[2] = {0, 0};
  mutable std::atomic<uint64_t> lowered_words{0};
};

// Fills cm.code (one unlowered CompiledFunction per defined function, its
// frame shape from cm.ir), cm.imports, cm.exports and cm.sections.
void describeModule(CompiledModule &cm);

} // namespace halter::compile
