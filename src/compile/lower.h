// Lowering of validated function bodies into register code.
#pragma once

#include "compile/compiled_function.h"
#include "halter/result.h"
#include "ir/module.h"

#include <vector>

namespace halter::compile {

// Lowers every defined function of a module that has passed validation.
// The result has one entry per defined function (imports excluded).
Result<std::vector<CompiledFunction>> lowerModule(const ir::Module &module);

} // namespace halter::compile
