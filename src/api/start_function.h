// Running a module's start function, for Linker::instantiate and for
// Instance::reset when asked to run it again.
#pragma once

#include "halter/halter.h"
#include "runtime/instance.h"

namespace halter {

// Runs the start function of `inst`'s module, if it has one, under `limits`
// and `cancel`. Its trap is InstantiationTrap; a deadline, a cancel, running
// out of fuel and an exit are DeadlineExceeded, Cancelled, OutOfFuel and
// Exited.
Result<void> runStartFunction(rt::Instance &inst, const Limits &limits, const CancelToken &cancel);

} // namespace halter
