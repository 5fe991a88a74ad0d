// The explicit call stack of one execution: value slots and frame records.
#pragma once

#include "exec/interrupt.h"
#include "halter/outcome.h"
#include "runtime/function.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace halter::exec {

// What a guest call saves to return to its caller.
struct Frame {
  const uint64_t *ret_pc = nullptr; // the instruction after the call
  uint8_t *fp = nullptr;            // the caller's frame
  const rt::Function *fn = nullptr; // the caller
};

// Stack memory for executions; reused between calls on the same thread.
struct ExecStack {
  std::unique_ptr<uint64_t[]> slots;
  uint64_t slot_count = 0;
  std::vector<Frame> frames;
  // Interrupt requests (cancel, deadline) for the execution holding this
  // stack. Tested at every check point.
  Interrupt interrupt;
};

// Leases an ExecStack with at least `stack_bytes` of slots (nullptr when that
// much memory is not available). Nested executions on one thread (host ->
// guest -> host -> guest) each get their own.
ExecStack *acquireStack(uint64_t stack_bytes);
void releaseStack(ExecStack *stack);

// The wasm backtrace of a trap: `fn` stopped at `pc` (the trapping
// instruction), its callers are frames[0..count) (innermost last).
// `metered` says which lowering the code addresses point into.
std::vector<BacktraceFrame> buildBacktrace(const rt::Function *fn, const uint64_t *pc,
                                           const Frame *frames, size_t count, bool metered);

} // namespace halter::exec
