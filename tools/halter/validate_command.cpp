#include "commands.h"
#include "exit_status.h"
#include "module_file.h"

#include <fmt/core.h>

namespace halter::cli {

int validateCommand(const std::string &path, const std::string &max_module_size) {
  int status = kExitOk;
  auto bytes = loadModuleFile(path, max_module_size, &status);
  if (!bytes) return status;
  auto valid = Module::validate(*bytes);
  if (!valid) {
    fmt::print(stderr, "error: {}\n", valid.error().describe());
    return kExitInvalid;
  }
  fmt::print("ok\n");
  return kExitOk;
}

} // namespace halter::cli
