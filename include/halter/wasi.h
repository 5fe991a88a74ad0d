// WASI preview1 (wasi_snapshot_preview1) for guests: nothing of the host is
// reachable unless granted here (DESIGN §7).
#pragma once

#include "halter/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace halter {

class Linker;
namespace detail {
struct WasiAccess; // src/wasi/state.h: the WASI layer's door to its state
}

// Where one standard stream of the guest goes.
struct WasiStdio {
  enum class Kind : uint8_t {
    Null,    // reads see end of file, writes are discarded
    Inherit, // the host process's own stream (fd 0, 1 or 2), e.g. a terminal
    Buffer,  // stdin: `data` is what the guest reads; stdout/stderr: captured in memory
    File,    // `path` on the host: stdin opened read-only, outputs created or truncated
    HostFd,  // `fd`, borrowed (not closed); it must outlive the context
  };
  Kind kind = Kind::Null;
  std::string data;
  std::string path;
  int fd = -1;

  static WasiStdio null() { return {}; }
  static WasiStdio inherit() { return {Kind::Inherit, {}, {}, -1}; }
  static WasiStdio buffer(std::string input = {}) {
    return {Kind::Buffer, std::move(input), {}, -1};
  }
  static WasiStdio file(std::string host_path) {
    return {Kind::File, {}, std::move(host_path), -1};
  }
  static WasiStdio hostFd(int fd) { return {Kind::HostFd, {}, {}, fd}; }
};

// A host directory the guest may use, under the name `guest_path` (what
// wasi-libc matches absolute paths against, e.g. "/data"). Read-only unless
// `writable`: creating, writing, renaming, removing or changing metadata
// beneath a read-only preopen fails with EROFS. No path resolves outside it
// (attempts fail with ENOTCAPABLE).
struct WasiPreopen {
  std::string host_path;
  std::string guest_path;
  bool writable = false;
};

struct WasiConfig {
  std::vector<std::string> args; // argv; args[0] is the program name by convention
  std::vector<std::string> env;  // "KEY=VALUE" entries, exactly as the guest sees them
  std::vector<WasiPreopen> preopens;
  WasiStdio stdin_stream = WasiStdio::null();
  WasiStdio stdout_stream = WasiStdio::buffer();
  WasiStdio stderr_stream = WasiStdio::buffer();
  // Granted host sockets (fds are duplicated; the caller keeps its own).
  // They follow the preopens in the guest's descriptor table; sock_* works
  // on these and on connections accepted from them, nowhere else.
  std::vector<int> sockets;
  // Virtual clocks (every clock read advances them by a fixed step; sleeps
  // advance them without waiting), random bytes from `seed`, directory
  // listings sorted by name: the same inputs give byte-identical output.
  bool deterministic = false;
  uint64_t seed = 0;
  // A captured stdout/stderr stops accepting bytes past this size (ENOSPC).
  uint64_t max_captured_bytes = uint64_t{64} << 20;
  // Open descriptors the guest may hold at once (EMFILE beyond).
  uint32_t max_open_fds = 1024;
};

// The WASI state of one guest program: descriptor table, stdio, clocks.
// Serves one instance at a time (host calls come from the thread running
// it); read the captured output after the call returned.
class WasiContext {
public:
  // Opens the preopened directories and stdio files; fails with NotFound or
  // Io when one cannot be opened.
  static Result<std::shared_ptr<WasiContext>> create(const WasiConfig &config);
  ~WasiContext();
  WasiContext(const WasiContext &) = delete;
  WasiContext &operator=(const WasiContext &) = delete;

  // What the guest wrote to a Buffer-bound stdout/stderr (empty otherwise).
  const std::string &capturedStdout() const;
  const std::string &capturedStderr() const;
  // The code the guest passed to proc_exit, if it called it.
  std::optional<int> exitCode() const;

  // Makes this context what create(config) would have made (a new
  // descriptor table, stdio, clocks, captured output, no exit code) while
  // keeping its identity: instances already linked to it see the new state
  // at their next WASI call, so a pooled instance, reset, runs as on a
  // fresh WASI. Only while no instance linked to it is running. On failure
  // (as create's) the old state is kept.
  Result<void> reset(const WasiConfig &config);

  // What of the guest's WASI state can outlive this process, as bytes to
  // save with its parked execution (SnapshotOptions::host_state): args,
  // env, the clocks and random generator of deterministic mode, and every
  // open descriptor by where it came from: a stdio stream, a preopen by its
  // guest name, or a file or directory opened beneath one (by path, with
  // its rights, flags and offset). No host descriptor or host path is in
  // it. Refused with InvalidArgument naming the descriptor when one cannot
  // be opened again: a socket, a pipe or device opened beneath a preopen,
  // anything opened beneath something that is not a preopen; and after
  // proc_exit. The stdio streams are saved as "stdin/stdout/stderr", not
  // their contents.
  Result<std::vector<uint8_t>> saveState() const;
  // Makes this context the one `state` (saveState's bytes) describes,
  // with host resources from `grants`: stdio streams are the grants', each
  // saved preopen is the granted one of the same guest name (its host
  // directory and write capability are the grants'), and each saved file
  // or directory is opened again by its path beneath it, at its offset,
  // never with more rights than saved. Args, env and the deterministic
  // clocks and random bytes are the saved ones; grants' args, env,
  // deterministic and seed, sockets and preopens not in the state are not
  // used. Keeps its identity, as reset does: link it, restore the
  // execution, then restore this before the execution runs on. Errors:
  // InvalidSnapshot for bytes that are not a state; NotFound for a preopen
  // not granted or a file that no longer exists; InvalidArgument for one
  // that cannot be opened as it was (open for writing beneath a read-only
  // grant, a file now a directory); ResourceLimit beyond max_open_fds. On
  // failure the old state is kept.
  Result<void> restoreState(std::span<const uint8_t> state, const WasiConfig &grants);

private:
  friend struct detail::WasiAccess;
  struct State; // src/wasi/state.h
  static Result<std::unique_ptr<State>> makeState(const WasiConfig &config);
  explicit WasiContext(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Defines every wasi_snapshot_preview1 function in `linker`, bound to
// `context`. proc_exit ends the execution with OutcomeKind::Exited.
// Writing to a closed pipe raises SIGPIPE in the host, as for any
// program: embedders that bind stdio to pipes should ignore SIGPIPE.
void addWasiToLinker(Linker &linker, std::shared_ptr<WasiContext> context);

} // namespace halter
