// The `spectest` host module that every core spec script imports from.
#pragma once

#include "halter/halter.h"

namespace halter::spectest {

// Defines the spectest exports (functions, globals, a 10..20 funcref table and
// a 1..2 page memory) under module name "spectest". A fresh table and memory
// are made per call: one call per .wast script.
Result<void> defineSpectest(Linker &linker);

} // namespace halter::spectest
