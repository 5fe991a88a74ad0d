// The CLI's subcommands; each returns the process exit status.
#pragma once

#include "halter/halter.h"

#include <optional>
#include <string>
#include <vector>

namespace halter::cli {

// `max_module_size`: --max-module-size as typed (empty: 1 GiB, module_file.h).
int validateCommand(const std::string &path, const std::string &max_module_size);

struct RunOptions {
  std::string path;
  std::string function;          // empty: run the WASI command's _start
  std::vector<std::string> args; // the function's arguments, or the command's argv[1..]
  // Limits as typed (parsed by runCommand, so that a bad value is a usage
  // error with a message); empty: no limit.
  std::string fuel;
  std::string timeout;
  std::string max_memory;
  std::string max_stack;
  uint32_t max_call_depth = Limits{}.max_call_depth;
  uint64_t max_table_elements = 0;
  std::string max_module_size; // empty: 1 GiB
  bool stats = false;
  bool eager = false; // lower every function before the run (--eager)
  // WASI (used when the module imports wasi_snapshot_preview1).
  std::vector<std::string> dirs; // HOST[::GUEST][:ro|:rw]
  std::vector<std::string> env;  // KEY=VALUE
  std::string stdin_path;
  bool deterministic = false;
  uint64_t seed = 0;
  // Imports (MODULE.NAME) answered by suspending the guest; repeatable.
  std::vector<std::string> suspend_on;
  // Where a parked execution (suspended, or out of fuel) is saved; empty:
  // not saved.
  std::string snapshot_to;
};
int runCommand(const RunOptions &options);

// `halter resume MODULE SNAPSHOT`: continues a saved execution. `run`
// holds the limits, the WASI options, --suspend-on (default: every import
// not of WASI suspends) and --snapshot-to (default: SNAPSHOT itself).
struct ResumeOptions {
  RunOptions run;
  std::string snapshot;
  std::vector<std::string> values;  // the pending call's results, by its result types
  std::optional<std::string> error; // or an error for it (resumeWithError)
  std::vector<std::string> writes;  // ADDR=TEXT, written to memory 0 before resuming
  std::string add_fuel;             // fuel added before the run
};
int resumeCommand(const ResumeOptions &options);
// `halter preinit`: run IN's init function and write the module of the
// state it leaves (include/halter/preinit.h).
struct PreinitCommandOptions {
  std::string path;
  std::string output;
  std::string init_func = "wizer.initialize";
  std::vector<std::string> dirs; // WASI, as for run
  std::vector<std::string> env;
  std::string fuel; // as typed; empty: no limit
  std::string timeout;
  std::string max_module_size; // empty: 1 GiB
};
int preinitCommand(const PreinitCommandOptions &options);

int inspectCommand(const std::string &path, const std::string &max_module_size);

struct DisasmOptions {
  std::string path;
  std::string func; // an index or an exported function's name; empty: every defined function
  bool metered = false;
  std::string max_module_size; // empty: 1 GiB
};
int disasmCommand(const DisasmOptions &options);

struct PipelineOptions {
  std::string manifest;
  std::optional<std::string> input; // --input; else --input-file; else stdin
  std::string input_file;
  std::string strategy; // overrides the manifest's (empty: keep)
  unsigned max_concurrency = 0;
  std::string report; // --report FILE.json
  bool relative_to_manifest = false;
  std::string module_dir;        // --module-dir: relative modules resolve here
  std::string progress = "auto"; // --progress auto|always|never (auto: stderr is a terminal)
};
int pipelineRunCommand(const PipelineOptions &options);
int pipelineCheckCommand(const PipelineOptions &options);
int pipelineGraphCommand(const PipelineOptions &options);

} // namespace halter::cli
