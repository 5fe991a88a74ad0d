// Lowering of validated function bodies into register code.
#pragma once

#include "compile/compiled_function.h"
#include "halter/result.h"
#include "ir/module.h"

#include <vector>

namespace halter::compile {

// The frame shape of defined function `defined_index` (params, declared
// locals, results in slots), known without lowering it.
void describeFrame(const ir::Module &module, uint32_t defined_index, CompiledFunction &fn);

// Lowers one form of defined function `defined_index` of a module that has
// passed validation. Its code is not threaded yet (exec::threadCode).
Result<LoweredCode> lowerFunction(const ir::Module &module, uint32_t defined_index, Form form);

// One form of every defined function (imports excluded), for disassembly and
// tests.
Result<std::vector<LoweredCode>> lowerModule(const ir::Module &module, Form form = Form::Plain);

} // namespace halter::compile
