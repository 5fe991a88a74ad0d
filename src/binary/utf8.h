// UTF-8 well-formedness as the binary format requires it for names.
#pragma once

#include <cstdint>
#include <span>

namespace halter::binary {

// True when `bytes` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing above U+10FFFF, no truncated sequences.
bool isValidUtf8(std::span<const uint8_t> bytes);

} // namespace halter::binary
