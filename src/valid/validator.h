// Module and function validation per the WebAssembly 2.0 spec (the spec's
// "invalid"). Runs on a decoded module; decoding already checked the encoding.
#pragma once

#include "halter/result.h"
#include "ir/module.h"

namespace halter::valid {

// Checks every typing rule: types, imports, functions (operand and control
// stacks, unreachable code), tables, memories, globals and constant
// expressions, exports (unique names), start, element and data segments,
// data count, and `ref.func` declarations. Errors carry the byte offset of
// the offending instruction or entry.
Result<void> validateModule(const ir::Module &module);

} // namespace halter::valid
