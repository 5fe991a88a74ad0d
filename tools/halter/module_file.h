// Reading a module file into memory, bounded.
#pragma once

#include "halter/halter.h"
#include "halter/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace halter::cli {

// Module files above this size are refused (--max-module-size changes it).
inline constexpr uint64_t kDefaultMaxModuleSize = uint64_t{1} << 30; // 1 GiB

// Reads `path`, at most `max_bytes` of it. A regular file larger than that is
// refused from its size, before anything is read; any other file (a pipe, a
// device such as /dev/zero) is read until the bound and refused when it goes
// past it. Errors: ResourceLimit when too large, Io with the system's reason
// when the file cannot be read.
Result<std::vector<uint8_t>> readModuleFile(const std::string &path,
                                            uint64_t max_bytes = kDefaultMaxModuleSize);

// For the subcommands: parses `max_size_text` (a size such as "64MiB"; empty:
// the default) and reads `path`. On failure prints the error to stderr, sets
// *status (kExitUsage for a bad size, kExitTooLarge, kExitInvalid) and
// returns nothing.
std::optional<std::vector<uint8_t>> loadModuleFile(const std::string &path,
                                                   const std::string &max_size_text, int *status);

// loadModuleFile, then Module::compile (lazy lowering unless `options` say
// otherwise). On failure prints the error, sets
// *status (kExitInvalid for a module that does not compile) and returns
// null; `*file_size` (when given) gets the file's size.
std::shared_ptr<const Module> compileModuleFile(const std::string &path,
                                                const std::string &max_size_text, int *status,
                                                uint64_t *file_size = nullptr,
                                                const CompileOptions &options = {});

} // namespace halter::cli
