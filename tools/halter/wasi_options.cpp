#include "wasi_options.h"

#include <fmt/core.h>

namespace halter::cli {

Result<WasiPreopen> parseDirSpec(std::string_view spec) {
  WasiPreopen preopen;
  std::string_view rest = spec;
  if (rest.ends_with(":ro")) {
    rest.remove_suffix(3);
  } else if (rest.ends_with(":rw")) {
    rest.remove_suffix(3);
    preopen.writable = true;
  }
  size_t sep = rest.find("::");
  std::string_view host = rest.substr(0, sep);
  std::string_view guest = sep == std::string_view::npos ? host : rest.substr(sep + 2);
  if (host.empty() || guest.empty()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "bad --dir \"" + std::string(spec) +
                         "\": expected HOST[::GUEST][:ro|:rw], e.g. ./data::/data:rw");
  }
  preopen.host_path = std::string(host);
  preopen.guest_path = std::string(guest);
  return preopen;
}

Result<WasiConfig> wasiConfigFrom(const RunOptions &options, const std::vector<std::string> &argv) {
  WasiConfig config;
  config.args = argv;
  for (const std::string &kv : options.env) {
    if (kv.find('=') == std::string::npos || kv.front() == '=') {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "bad --env \"" + kv + "\": expected KEY=VALUE");
    }
    config.env.push_back(kv);
  }
  for (const std::string &spec : options.dirs) {
    HALTER_ASSIGN_OR_RETURN(WasiPreopen preopen, parseDirSpec(spec));
    config.preopens.push_back(std::move(preopen));
  }
  config.stdin_stream =
      options.stdin_path.empty() ? WasiStdio::inherit() : WasiStdio::file(options.stdin_path);
  config.stdout_stream = WasiStdio::inherit();
  config.stderr_stream = WasiStdio::inherit();
  config.deterministic = options.deterministic;
  config.seed = options.seed;
  return config;
}

std::shared_ptr<WasiContext> wasiContextFrom(const RunOptions &options,
                                             const std::vector<std::string> &argv) {
  auto config = wasiConfigFrom(options, argv);
  if (!config) {
    fmt::print(stderr, "error: {}\n", config.error().message);
    return nullptr;
  }
  auto context = WasiContext::create(*config);
  if (!context) {
    fmt::print(stderr, "error: {}\n", context.error().describe());
    return nullptr;
  }
  return *context;
}

} // namespace halter::cli
