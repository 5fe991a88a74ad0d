// halter: validate, inspect and run WebAssembly modules in the halter sandbox.
#include "commands.h"
#include "exit_status.h"

#include <CLI/CLI.hpp>

using namespace halter::cli;

int main(int argc, char **argv) {
  CLI::App app{"halter: a WebAssembly 2.0 sandbox runtime"};
  app.footer(kExitStatusHelp);
  app.require_subcommand(1);

  std::string validate_path;
  CLI::App *validate = app.add_subcommand("validate", "Decode and validate a module; prints ok");
  validate->add_option("file", validate_path, "The .wasm file")->required();

  std::string inspect_path;
  CLI::App *inspect =
      app.add_subcommand("inspect", "List a module's sections, imports and exports");
  inspect->add_option("file", inspect_path, "The .wasm file")->required();

  RunOptions run_options;
  CLI::App *run = app.add_subcommand(
      "run", "Instantiate a module and call an exported function; prints each result on a line");
  run->add_option("file", run_options.path, "The .wasm file")->required();
  run->add_option("--invoke", run_options.function, "Name of the exported function to call")
      ->required();
  run->add_option("args", run_options.args,
                  "Arguments, parsed by the function's parameter types: integers in decimal or "
                  "0x hex, floats in decimal, hex float, inf, nan or nan:0xPAYLOAD. Put -- "
                  "before arguments such as -inf");
  run->add_option("--max-call-depth", run_options.config.max_call_depth,
                  "Guest call depth before a StackExhausted trap")
      ->capture_default_str();
  run->add_option("--max-stack-bytes", run_options.config.max_stack_bytes,
                  "Bytes of the guest value stack")
      ->capture_default_str();
  run->add_option("--max-memory-bytes", run_options.config.max_memory_bytes,
                  "Cap on each linear memory in bytes (0: only the module's own maximum)")
      ->capture_default_str();
  run->footer(kExitStatusHelp);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int status = app.exit(e);
    return status == 0 ? kExitOk : kExitUsage;
  }

  if (*validate) return validateCommand(validate_path);
  if (*inspect) return inspectCommand(inspect_path);
  if (*run) return runCommand(run_options);
  return kExitUsage;
}
