// What Module::compile produces: the decoded module, its lowered code, and
// the public descriptions of its imports, exports and sections. Immutable
// once built; instances share it (rt::Instance::module).
#pragma once

#include "compile/compiled_function.h"
#include "halter/module_info.h"
#include "ir/module.h"

#include <vector>

namespace halter::compile {

struct CompiledModule {
  ir::Module ir;
  std::vector<CompiledFunction> code; // one per defined function
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::vector<SectionInfo> sections;
};

// Fills cm.imports, cm.exports and cm.sections from cm.ir.
void describeModule(CompiledModule &cm);

} // namespace halter::compile
