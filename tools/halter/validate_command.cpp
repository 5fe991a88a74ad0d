#include "commands.h"
#include "exit_status.h"
#include "module_file.h"

#include <fmt/core.h>

namespace halter::cli {

int validateCommand(const std::string &path) {
  auto bytes = readModuleFile(path);
  if (!bytes) {
    fmt::print(stderr, "error: cannot read {}\n", bytes.error().message);
    return kExitInvalid;
  }
  auto valid = Module::validate(*bytes);
  if (!valid) {
    fmt::print(stderr, "error: {}\n", valid.error().describe());
    return kExitInvalid;
  }
  fmt::print("ok\n");
  return kExitOk;
}

} // namespace halter::cli
