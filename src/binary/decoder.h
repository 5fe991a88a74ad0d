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
// than its own size. Errors carry the byte offset of the problem. The
// function bodies of a large module are walked on up to `threads` threads
// (0: the machine's cores, at most 4); the error is always the first in byte
// order.
Result<ir::Module> decodeModule(std::span<const uint8_t> bytes, unsigned threads = 0);

} // namespace halter::binary
