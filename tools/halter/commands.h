// The CLI's subcommands; each returns the process exit status.
#pragma once

#include "halter/halter.h"

#include <string>
#include <vector>

namespace halter::cli {

int validateCommand(const std::string &path);

struct RunOptions {
  std::string path;
  std::string function;
  std::vector<std::string> args;
  Limits config;
};
int runCommand(const RunOptions &options);

int inspectCommand(const std::string &path);

} // namespace halter::cli
