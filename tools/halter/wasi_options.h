// The WASI options of `halter run`: --dir, --env, --stdin, --deterministic.
#pragma once

#include "commands.h"
#include "halter/result.h"
#include "halter/wasi.h"

#include <memory>
#include <string_view>

namespace halter::cli {

// HOST[::GUEST][:ro|:rw]: the host directory, the name the guest sees it by
// (default: HOST as written) and whether the guest may write (default: ro).
Result<WasiPreopen> parseDirSpec(std::string_view spec);

// The WASI configuration of a run: argv is `program` then `args`; stdout
// and stderr are the terminal's; stdin is --stdin's file or the terminal's.
Result<WasiConfig> wasiConfigFrom(const RunOptions &options, const std::vector<std::string> &argv);

// The WASI context of that configuration; null, with the error printed,
// when the options are bad (a usage error: exit status 2).
std::shared_ptr<WasiContext> wasiContextFrom(const RunOptions &options,
                                             const std::vector<std::string> &argv);

} // namespace halter::cli
