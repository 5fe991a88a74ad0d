// Imports every instance can have without the embedder defining them, under
// the reserved module name "halter" (an embedder's own definition wins).
#pragma once

#include "halter/halter.h"

#include <string_view>

namespace halter {

bool isBuiltinImport(std::string_view module, std::string_view name);
// halter.last_error(buf: i32, cap: i32) -> i32: copies up to `cap` bytes of
// the message of the last error a HostErrors::NegativeCode import returned to
// the calling instance into memory at `buf` and returns the message's full
// length (0: none). Traps when the bytes it would write are out of bounds.
Extern builtinImport(std::string_view name);

} // namespace halter
