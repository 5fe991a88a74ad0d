// Reading a module file into memory.
#pragma once

#include "halter/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace halter::cli {

// Error code Io with the system's reason when the file cannot be read.
Result<std::vector<uint8_t>> readModuleFile(const std::string &path);

} // namespace halter::cli
