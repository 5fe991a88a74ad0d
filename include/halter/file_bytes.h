// Reading a file whose contents come from someone else (a module, a
// manifest, a pipeline's input), bounded and with the system's reason on
// failure.
#pragma once

#include "halter/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace halter {

// Reads `path`, at most `max_bytes` of it. A regular file larger than that is
// refused from its size before anything is read; any other file (a pipe, a
// device such as /dev/zero) is read until the bound and refused when it goes
// past it. Errors: ResourceLimit when too large ("PATH: its size, 2.00 GiB,
// is above the limit of 1.00 GiB"), Io with the system's reason ("PATH: Is a
// directory") when it cannot be read.
Result<std::vector<uint8_t>> readFileBytes(const std::string &path, uint64_t max_bytes);

// The same, as text (bytes as they are; no encoding is checked).
Result<std::string> readFileText(const std::string &path, uint64_t max_bytes);

} // namespace halter
