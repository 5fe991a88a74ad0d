// Lazy lowering (DESIGN §3.5): a function's code of one form is made by the
// first call that needs it.
#pragma once

#include "compile/compiled_function.h"
#include "halter/result.h"

#include <initializer_list>

namespace halter::exec {

// Where a call of `fn` in `form` enters its code: lowers, threads and
// publishes that form first when no call has yet (first calls from several
// threads lower it once). Null only when lowering failed, which validation
// rules out: an engine error, and the call traps with LoweringFailed.
const uint64_t *lowerOnCall(const compile::CompiledFunction &fn, compile::Form form);

// Lowers every form in `forms` of every function of `module` now (eager
// lowering). Fails with the first lowering error.
Result<void> lowerAll(const compile::CompiledModule &module,
                      std::initializer_list<compile::Form> forms);

} // namespace halter::exec
