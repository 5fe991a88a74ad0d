// Execution snapshots: a parked execution (suspended in a host call, or
// stopped out of fuel) and its instance as bytes, and back, in this process
// or another (DESIGN §6). The format is described in execution_snapshot.cpp.
#pragma once

#include "exec/execution.h"
#include "runtime/snapshot.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace halter::exec {

// What an execution snapshot holds, read and checked against its module and
// the restorer's limits; checked against the new instance by
// restoreExecution.
struct ExecutionImage {
  // A frame's function and program point: for a caller, the code index its
  // call returns to; for the running function, where it continues.
  struct FramePoint {
    uint32_t func = 0; // index in the function index space
    uint32_t at = 0;
  };
  std::shared_ptr<const rt::ResetPoint> instance;
  bool suspended = false; // else stopped out of fuel
  bool metered = false;
  uint64_t fuel_left = 0;
  uint64_t fuel_given = 0;
  uint64_t peak_memory_bytes = 0;
  bool memory_cap_hit = false;
  bool table_cap_hit = false;
  std::vector<FramePoint> frames; // outermost (the called function) first
  uint32_t pending_func = 0;      // suspended: the import called
  uint64_t token = 0;
  std::vector<std::pair<uint64_t, uint64_t>> pending_args; // low and high bits
  std::vector<uint64_t> slots;                             // the value stack, references coded
  std::string last_host_error;
  std::vector<uint8_t> host_state; // the embedder's, opaque here
};

// SnapshotOptions::host_state's bound (include/halter/halter.h says so).
inline constexpr size_t kMaxHostStateBytes = size_t{16} << 20;

// `ex`'s state with its instance's. InvalidArgument for what cannot be
// saved, naming it: an execution that is not parked (or whose suspension
// was answered and not run yet), one that entered another instance, a
// reference to a host object or another instance's function.
// `host_state` is stored as it is (at most kMaxHostStateBytes).
Result<std::vector<uint8_t>> writeExecutionSnapshot(const Execution &ex, bool compress,
                                                    std::span<const uint8_t> host_state);

// Reads `bytes`, an execution snapshot of an instance of `cm`. The stack
// and frame count are bounded by `limits` (max_stack_bytes,
// max_call_depth). InvalidSnapshot, with what and where, for anything that
// does not fit.
Result<std::shared_ptr<const ExecutionImage>>
readExecutionSnapshot(const compile::CompiledModule &cm, std::span<const uint8_t> bytes,
                      const Limits &limits);

// Makes `ex` (not initialised) the execution of `image` on `inst`, an
// instance restored from image.instance. Every frame, program point, stack
// slot and reference is checked against the code first (InvalidSnapshot).
// Fuel left is the snapshot's unless `limits.fuel` sets it; the other
// limits are `limits`' (a deadline counts from now).
Result<void> restoreExecution(Execution &ex, rt::Instance &inst, const ExecutionImage &image,
                              const Limits &limits, const CancelToken &cancel);

} // namespace halter::exec
