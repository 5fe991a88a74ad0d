// The interpreter: runs register code on an explicit stack (DESIGN §3.1-3.3).
#pragma once

#include "compile/compiled_function.h"

namespace halter::exec {

// Rewrites the internal opcode numbers of freshly lowered code into handler
// addresses (direct threading). Call once per lowering before it can run.
// Running is exec::Execution's (execution.h).
void threadCode(compile::LoweredCode &code);

} // namespace halter::exec
