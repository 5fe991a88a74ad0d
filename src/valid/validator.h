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
//
// Function bodies of a large module are checked on up to `threads` threads
// (0: as many as the machine has, at most 4); the error reported is always
// the one a single thread would find first.
Result<void> validateModule(const ir::Module &module, unsigned threads = 0);

} // namespace halter::valid
