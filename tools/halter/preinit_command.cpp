#include "commands.h"
#include "exit_status.h"
#include "halter/limit_text.h"
#include "halter/preinit.h"
#include "halter/wasi.h"
#include "module_file.h"
#include "value_text.h"
#include "wasi_options.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fmt/core.h>

namespace halter::cli {

namespace {

Result<Limits> preinitLimits(const PreinitCommandOptions &options) {
  Limits limits;
  if (!options.fuel.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.fuel, parseFuel(options.fuel, "--fuel"));
  }
  if (!options.timeout.empty()) {
    HALTER_ASSIGN_OR_RETURN(limits.timeout, parseDuration(options.timeout));
  }
  return limits;
}

// Status for a preinitialize error: how the guest failed, else as for
// compile and instantiate (a module that cannot be preinitialised is a bad
// module: status 1).
int preinitStatusFor(const Error &error) {
  switch (error.code) {
  case ErrorCode::Trapped:
  case ErrorCode::Exited: // an init that exits failed as surely as one that traps
    return kExitTrap;
  case ErrorCode::OutOfFuel:
    return kExitOutOfFuel;
  default:
    return exitStatusFor(error);
  }
}

Result<void> writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::FILE *f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return makeError(ErrorCode::Io, kNoOffset,
                     "cannot write " + path + ": " + std::strerror(errno));
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f);
  const bool closed = std::fclose(f) == 0;
  if (written != bytes.size() || !closed)
    return makeError(ErrorCode::Io, kNoOffset,
                     "cannot write " + path + ": " + std::strerror(errno));
  return okResult();
}

} // namespace

int preinitCommand(const PreinitCommandOptions &options) {
  auto limits = preinitLimits(options);
  if (!limits) {
    fmt::print(stderr, "error: {}\n", limits.error().message);
    return kExitUsage;
  }
  // The WASI options are run's, parsed the same way.
  RunOptions wasi_options;
  wasi_options.dirs = options.dirs;
  wasi_options.env = options.env;
  std::shared_ptr<WasiContext> context = wasiContextFrom(wasi_options, {options.path});
  if (!context) return kExitUsage;
  int status = kExitOk;
  std::shared_ptr<const Module> module =
      compileModuleFile(options.path, options.max_module_size, &status);
  if (!module) return status;

  const FuncType *type = module->exportedFuncType(options.init_func);
  if (type == nullptr) {
    fmt::print(stderr, "error: {} exports no function \"{}\" to initialise it with (--init-func)\n",
               options.path, options.init_func);
    return kExitUsage;
  }
  if (!type->params.empty() || !type->results.empty()) {
    fmt::print(stderr, "error: the init function \"{}\" has type {}; it must be () -> ()\n",
               options.init_func, type->describe());
    return kExitUsage;
  }

  Linker linker;
  bool wasi = false;
  for (const ImportInfo &import : module->imports())
    wasi |= import.module == "wasi_snapshot_preview1";
  if (wasi) {
    std::signal(SIGPIPE, SIG_IGN);
    addWasiToLinker(linker, context);
  }
  PreinitOptions preinit;
  preinit.init_func = options.init_func;
  preinit.limits = *limits;
  auto out = preinitialize(linker, module, preinit);
  if (!out) {
    fmt::print(stderr, "error: {}\n", out.error().describe());
    return preinitStatusFor(out.error());
  }
  if (auto written = writeFile(options.output, *out); !written) {
    fmt::print(stderr, "error: {}\n", written.error().message);
    return kExitInvalid;
  }
  fmt::print(stderr, "preinitialized {} with {}: wrote {} ({})\n", options.path, options.init_func,
             options.output, formatSize(out->size()));
  return kExitOk;
}

} // namespace halter::cli
