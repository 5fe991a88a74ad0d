// Everything one WASI guest owns: what WasiContext wraps.
#pragma once

#include "halter/halter.h"
#include "halter/wasi.h"
#include "wasi/clock_random.h"
#include "wasi/fd_table.h"
#include "wasi/guest_memory.h"

#include <optional>
#include <string>
#include <vector>

namespace halter::wasi {

struct State {
  State(uint32_t max_open_fds, bool deterministic, uint64_t seed)
      : fds(max_open_fds), clock(deterministic), random(deterministic, seed) {}

  std::vector<std::string> args;
  std::vector<std::string> env;
  FdTable fds;
  WasiClock clock;
  WasiRandom random;
  // Kept here too, so the output stays readable after the guest closes fd 1/2.
  std::shared_ptr<MemoryStream> stdout_capture;
  std::shared_ptr<MemoryStream> stderr_capture;
  std::optional<int> exit_code;
};

// One host call as the ABI functions see it.
struct AbiCall {
  State &state;
  CallContext &ctx;
  GuestMemory memory;
  std::span<const Value> args;

  uint32_t u32(size_t i) const { return args[i].asI32(); }
  uint64_t u64(size_t i) const { return args[i].asI64(); }
};

} // namespace halter::wasi

namespace halter {

// The state behind the public WasiContext is the WASI state itself.
struct WasiContext::State : wasi::State {
  using wasi::State::State;
};

namespace detail {
// The WASI layer's (and its tests') door to the state of a WasiContext.
struct WasiAccess {
  static wasi::State &state(WasiContext &context) { return *context.state_; }
};
} // namespace detail

} // namespace halter
