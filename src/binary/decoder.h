// Bytes -> ir::Module. Checks well-formedness only (the spec's "malformed");
// typing rules are valid/'s job.
#pragma once

#include "halter/result.h"
#include "ir/module.h"

#include <cstdint>
#include <span>

namespace halter::binary {

// Every count and size is checked against the remaining input before
// anything is allocated, so hostile input cannot make this allocate much more
// than its own size. Errors carry the byte offset of the problem.
Result<ir::Module> decodeModule(std::span<const uint8_t> bytes);

} // namespace halter::binary
