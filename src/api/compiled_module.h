// What Module::compile produces: the decoded module, its lowered and threaded
// code, and the public descriptions of its imports, exports and sections.
#pragma once

#include "compile/compiled_function.h"
#include "halter/halter.h"
#include "ir/module.h"

#include <vector>

namespace halter {

class CompiledModule {
public:
  ir::Module ir;
  std::vector<compile::CompiledFunction> code; // one per defined function
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  std::vector<SectionInfo> sections;
};

} // namespace halter
