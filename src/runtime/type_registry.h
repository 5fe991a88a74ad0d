// Process-wide interning of function types, so call_indirect compares
// signatures across modules with one pointer comparison.
#pragma once

#include "halter/types.h"

namespace halter::rt {

// Thread-safe. The returned pointer lives until the process ends.
const FuncType *internFuncType(const FuncType &type);

} // namespace halter::rt
