#include "module_file.h"

#include "exit_status.h"
#include "halter/file_bytes.h"
#include "halter/limit_text.h"

#include <fmt/core.h>

namespace halter::cli {

Result<std::vector<uint8_t>> readModuleFile(const std::string &path, uint64_t max_bytes) {
  auto bytes = readFileBytes(path, max_bytes);
  if (!bytes && bytes.error().code == ErrorCode::ResourceLimit)
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     bytes.error().message + " for module files (--max-module-size changes it)");
  return bytes;
}

std::optional<std::vector<uint8_t>> loadModuleFile(const std::string &path,
                                                   const std::string &max_size_text, int *status) {
  uint64_t max_bytes = kDefaultMaxModuleSize;
  if (!max_size_text.empty()) {
    auto parsed = parseSize(max_size_text);
    if (!parsed) {
      fmt::print(stderr, "error: --max-module-size: {}\n", parsed.error().message);
      *status = kExitUsage;
      return std::nullopt;
    }
    max_bytes = *parsed;
  }
  auto bytes = readModuleFile(path, max_bytes);
  if (!bytes) {
    bool too_large = bytes.error().code == ErrorCode::ResourceLimit;
    fmt::print(stderr, "error: {}{}\n", too_large ? "" : "cannot read ", bytes.error().message);
    *status = too_large ? kExitTooLarge : kExitInvalid;
    return std::nullopt;
  }
  return std::move(bytes).value();
}

std::shared_ptr<const Module> compileModuleFile(const std::string &path,
                                                const std::string &max_size_text, int *status,
                                                uint64_t *file_size,
                                                const CompileOptions &options) {
  auto bytes = loadModuleFile(path, max_size_text, status);
  if (!bytes) return nullptr;
  if (file_size != nullptr) *file_size = bytes->size();
  auto compiled = Module::compile(*bytes, options);
  if (!compiled) {
    fmt::print(stderr, "error: {}\n", compiled.error().describe());
    *status = kExitInvalid;
    return nullptr;
  }
  return *compiled;
}

} // namespace halter::cli
