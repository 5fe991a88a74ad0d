// Helpers of the WASI tests: running a C guest and scratch directories.
#pragma once

#include "halter/halter.h"
#include "halter/wasi.h"

#include <filesystem>
#include <string>
#include <vector>

namespace halter::test {

struct GuestRun {
  Outcome outcome;
  std::string out;
  std::string err;
  std::optional<int> exit_code;
  // Exited's code, or 0 after a plain return from _start.
  int status() const { return outcome.kind == OutcomeKind::Exited ? outcome.exit_code : 0; }
};

// Runs _start of tests/guests/wasi/NAME.c (built to NAME.wasm) with `config`
// (args[0] is set to NAME when empty). Fails the test on setup errors.
GuestRun runGuest(const std::string &name, WasiConfig config, const CallOptions &options = {});

// A fresh directory under the system temp dir, removed with everything in it.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path &path() const { return path_; }
  std::string str() const { return path_.string(); }
  void write(const std::string &rel, const std::string &content) const;
  std::string read(const std::string &rel) const;
  bool exists(const std::string &rel) const;

private:
  std::filesystem::path path_;
};

} // namespace halter::test
