// The `name` custom section, read best effort.
#pragma once

#include "ir/module.h"

#include <cstdint>
#include <span>

namespace halter::binary {

// Parses the module name (subsection 0) and function names (subsection 1)
// from the payload [begin, end) of a `name` section. A malformed section
// yields empty names: the spec lets implementations ignore it.
ir::Names parseNameSection(std::span<const uint8_t> bytes, uint64_t begin, uint64_t end);

} // namespace halter::binary
