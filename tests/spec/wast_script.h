// Runs one wast2json script (.json plus its .wasm files) against halter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace halter::spec {

struct ScriptOptions {
  bool verbose = false;      // print every command, not only failures
  bool strict_traps = false; // a trap whose kind differs from the script's text fails
  size_t max_failure_lines = 20;
  // Run every call with fuel metering on (an ample budget): the metered
  // lowering must give the same results as the plain one.
  bool metered = false;
};

// Counters a script run updates as it goes. Plain data so that it can live in
// memory shared with a parent process that watches a forked child.
struct ScriptProgress {
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t trap_text_mismatches = 0;
  uint64_t failure_lines_printed = 0;
  uint32_t line = 0;     // line in the .wast of the command being run
  char command[32] = {}; // its type
};

// Runs every command of the script at `json_path`, printing one line per
// failure (and per command when verbose) to stdout.
void runScript(const std::string &json_path, const ScriptOptions &options,
               ScriptProgress &progress);

// Number of commands in a script, or 0 when it cannot be read.
uint64_t countCommands(const std::string &json_path);

} // namespace halter::spec
