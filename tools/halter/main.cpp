// halter: validate, inspect and run WebAssembly modules in the halter sandbox.
#include "commands.h"
#include "exit_status.h"

#include <CLI/CLI.hpp>

using namespace halter::cli;

int main(int argc, char **argv) {
  CLI::App app{"halter: a WebAssembly 2.0 sandbox runtime"};
  app.footer(kExitStatusHelp);
  app.require_subcommand(1);
  const std::string max_module_size_help =
      "Refuse module files larger than this, e.g. 64MiB (default 1GiB); exit status 8";

  std::string validate_path;
  CLI::App *validate = app.add_subcommand("validate", "Decode and validate a module; prints ok");
  validate->add_option("file", validate_path, "The .wasm file")->required();
  std::string validate_max_size;
  validate->add_option("--max-module-size", validate_max_size, max_module_size_help);

  std::string inspect_path;
  CLI::App *inspect =
      app.add_subcommand("inspect", "List a module's sections, imports and exports");
  inspect->add_option("file", inspect_path, "The .wasm file")->required();
  std::string inspect_max_size;
  inspect->add_option("--max-module-size", inspect_max_size, max_module_size_help);

  DisasmOptions disasm_options;
  CLI::App *disasm = app.add_subcommand(
      "disasm", "Print the internal register code of a module's functions (operands by shape: "
                "s<N> slot, #<V> immediate, @<D> branch offset)");
  disasm->add_option("file", disasm_options.path, "The .wasm file")->required();
  disasm->add_option("--func", disasm_options.func,
                     "One function: its index (imports first) or its export name");
  disasm->add_flag("--metered", disasm_options.metered,
                   "The metered lowering (with Fuel instructions), used when --fuel is given");
  disasm->add_option("--max-module-size", disasm_options.max_module_size, max_module_size_help);

  // The options of a guest run that `run` and `resume` share: WASI, limits,
  // statistics, suspension and snapshots.
  auto addGuestOptions = [&](CLI::App *sub, RunOptions &o) {
    sub->add_option("--dir", o.dirs,
                    "Grant a host directory: HOST[::GUEST][:ro|:rw] (read-only unless :rw; the "
                    "guest sees it as GUEST, default HOST); repeat for more")
        ->allow_extra_args(false);
    sub->add_option("--env", o.env,
                    "Set an environment variable of the guest: KEY=VALUE; repeat for more")
        ->allow_extra_args(false);
    sub->add_option("--stdin", o.stdin_path,
                    "Read the guest's stdin from this file (default: halter's own stdin)");
    sub->add_flag("--deterministic", o.deterministic,
                  "Virtual clocks and seeded random: the same input gives the same output");
    sub->add_option("--seed", o.seed, "Seed of the random bytes with --deterministic")
        ->capture_default_str();
    sub->add_option("--fuel", o.fuel,
                    "Fuel budget (deterministic units of work); out of fuel is exit status 5");
    sub->add_option("--timeout", o.timeout,
                    "Wall-clock deadline of the call, e.g. 250ms or 2s (covers host calls); "
                    "exit status 6");
    sub->add_option("--max-memory", o.max_memory,
                    "Cap on each linear memory, e.g. 64MiB: memory.grow past it returns -1, a "
                    "larger initial memory fails to instantiate");
    sub->add_option("--max-stack", o.max_stack,
                    "Size of the guest value stack, e.g. 1MiB (default 8MiB); beyond it the guest "
                    "traps with StackExhausted");
    sub->add_option("--max-call-depth", o.max_call_depth,
                    "Guest call depth before a StackExhausted trap")
        ->capture_default_str();
    sub->add_option("--max-table-elements", o.max_table_elements,
                    "Cap on each table (0: 10,000,000)")
        ->capture_default_str();
    sub->add_option("--max-module-size", o.max_module_size, max_module_size_help);
    sub->add_flag("--stats", o.stats,
                  "Print the outcome, fuel used, wall time, peak memory, compile time, functions "
                  "lowered and the process's peak RSS to stderr");
    sub->add_option("--suspend-on", o.suspend_on,
                    "A function import, MODULE.NAME, that suspends the guest when called "
                    "(exit status 12); repeat for more")
        ->allow_extra_args(false);
    sub->add_option("--snapshot-to", o.snapshot_to,
                    "Save a suspended or out-of-fuel execution to this file, to continue with "
                    "`halter resume`");
  };

  RunOptions run_options;
  CLI::App *run = app.add_subcommand(
      "run", "Run a WASI command (its _start), or instantiate a module and call an exported "
             "function (--invoke), printing each result on a line");
  run->add_option("file", run_options.path, "The .wasm file")->required();
  run->add_option("--invoke", run_options.function,
                  "Exported function to call (after _initialize, if exported); without it the "
                  "module's _start runs as a WASI command");
  run->add_option("args", run_options.args,
                  "With --invoke: the function's arguments, parsed by its parameter types "
                  "(integers in decimal or 0x hex, floats in decimal, hex float, inf, nan or "
                  "nan:0xPAYLOAD). Without: the command's arguments. Put -- before arguments "
                  "that start with -");
  addGuestOptions(run, run_options);
  run->add_flag("--eager", run_options.eager,
                "Lower every function before the run (default: each on its first call)");
  run->footer(kExitStatusHelp);

  ResumeOptions resume_options;
  CLI::App *resume = app.add_subcommand(
      "resume", "Continue an execution saved by --snapshot-to, in this process: answer its "
                "pending host call (--value, --error) or give it fuel (--add-fuel)");
  resume->add_option("file", resume_options.run.path, "The .wasm file it runs")->required();
  resume->add_option("snapshot", resume_options.snapshot, "The saved execution")->required();
  resume
      ->add_option("--value", resume_options.values,
                   "A result of the pending host call, by its result type; one per result")
      ->allow_extra_args(false);
  resume->add_option("--error", resume_options.error,
                     "Answer the pending call with this error instead: the guest traps, or "
                     "receives -1 from an import returning one integer");
  resume
      ->add_option("--write-memory", resume_options.writes,
                   "ADDR=TEXT: write TEXT to memory 0 at ADDR first (an answer into a buffer "
                   "the call passed); repeat for more")
      ->allow_extra_args(false);
  resume->add_option("--add-fuel", resume_options.add_fuel,
                     "Fuel to add before continuing (an out-of-fuel execution)");
  addGuestOptions(resume, resume_options.run);
  resume->footer(kExitStatusHelp);

  PreinitCommandOptions preinit_options;
  CLI::App *preinit = app.add_subcommand(
      "preinit", "Pre-initialise a module (as Wizer does): instantiate it, call its init function "
                 "and write a standard module that starts in the state the init left");
  preinit->add_option("file", preinit_options.path, "The .wasm file")->required();
  preinit->add_option("-o,--output", preinit_options.output, "The module to write")->required();
  preinit
      ->add_option("--init-func", preinit_options.init_func,
                   "The exported () -> () function to run; the default is Wizer's convention")
      ->capture_default_str();
  preinit
      ->add_option("--dir", preinit_options.dirs,
                   "Grant the init function a host directory, as for run: "
                   "HOST[::GUEST][:ro|:rw]; repeat for more")
      ->allow_extra_args(false);
  preinit
      ->add_option("--env", preinit_options.env,
                   "Set an environment variable of the init function: KEY=VALUE; repeat for more")
      ->allow_extra_args(false);
  preinit->add_option("--fuel", preinit_options.fuel,
                      "Fuel budget of the start function and of the init function (each); out of "
                      "fuel is exit status 5");
  preinit->add_option("--timeout", preinit_options.timeout,
                      "Wall-clock deadline of the start and init functions together, e.g. 2s; "
                      "exit status 6");
  preinit->add_option("--max-module-size", preinit_options.max_module_size, max_module_size_help);
  preinit->footer(kExitStatusHelp);

  PipelineOptions pipeline_options;
  CLI::App *pipeline = app.add_subcommand(
      "pipeline", "Run, check or draw a pipeline manifest (YAML; DAGwood configurations too)");
  pipeline->require_subcommand(1);
  CLI::App *pipeline_run = pipeline->add_subcommand(
      "run", "Run the DAG; the final output on stdout, a summary on stderr");
  CLI::App *pipeline_check = pipeline->add_subcommand(
      "check", "Validate the manifest and print the graph: levels, entry points, limits");
  CLI::App *pipeline_graph =
      pipeline->add_subcommand("graph", "Print the DAG as Graphviz DOT (render with dot -Tsvg)");
  for (CLI::App *sub : {pipeline_run, pipeline_check, pipeline_graph}) {
    sub->add_option("manifest", pipeline_options.manifest, "The manifest (.yaml)")->required();
    sub->add_flag("--modules-relative-to-manifest", pipeline_options.relative_to_manifest,
                  "Resolve `module:` paths against the manifest's directory (DAGwood: the "
                  "working directory)");
    sub->add_option("--module-dir", pipeline_options.module_dir,
                    "Resolve relative `module:` paths against this directory");
  }
  pipeline_run->add_option("--input", pipeline_options.input, "The pipeline's input text");
  pipeline_run->add_option("--input-file", pipeline_options.input_file,
                           "Read the input from this file (default: stdin)");
  pipeline_run->add_option("--strategy", pipeline_options.strategy,
                           "work_queue, level or reactive (default: the manifest's)");
  pipeline_run->add_option("--max-concurrency", pipeline_options.max_concurrency,
                           "Worker threads (default: the manifest's, else the cores)");
  pipeline_run->add_option("--report", pipeline_options.report,
                           "Write the per-node report as JSON to this file");
  pipeline_run
      ->add_option("--progress", pipeline_options.progress,
                   "A live view of the running nodes on stderr: auto (when stderr is a "
                   "terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int status = app.exit(e);
    return status == 0 ? kExitOk : kExitUsage;
  }

  if (*validate) return validateCommand(validate_path, validate_max_size);
  if (*inspect) return inspectCommand(inspect_path, inspect_max_size);
  if (*run) return runCommand(run_options);
  if (*resume) return resumeCommand(resume_options);
  if (*disasm) return disasmCommand(disasm_options);
  if (*preinit) return preinitCommand(preinit_options);
  if (*pipeline_run) return pipelineRunCommand(pipeline_options);
  if (*pipeline_check) return pipelineCheckCommand(pipeline_options);
  if (*pipeline_graph) return pipelineGraphCommand(pipeline_options);
  return kExitUsage;
}
