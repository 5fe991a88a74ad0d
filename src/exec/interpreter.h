// The interpreter: runs register code on an explicit stack (DESIGN §3.1-3.3).
#pragma once

#include "compile/compiled_function.h"
#include "halter/halter.h"
#include "runtime/function.h"

#include <span>
#include <vector>

namespace halter::exec {

// Rewrites the internal opcode numbers of freshly lowered code into handler
// addresses (direct threading). Call once per function before it can run.
void threadCode(compile::CompiledFunction &fn);

// Calls `fn` (guest or host) with `args`, which the caller has checked
// against fn.type. Guest calls never recurse on the native stack; call depth
// and stack size are bounded by `config` (Trapped(StackExhausted) beyond).
Outcome invoke(const rt::Function &fn, std::span<const Value> args, const InstanceConfig &config);

} // namespace halter::exec
