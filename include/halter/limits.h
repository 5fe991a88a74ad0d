// Limits on what one guest may use (DESIGN §4), and cancellation.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace halter {

using Clock = std::chrono::steady_clock;

namespace detail {
struct ApiAccess; // halter.h
}

// Every field's default means "no limit" or a safe fixed bound, never
// "already expired". Set per instance (Linker::instantiate) and per call
// (CallOptions::limits, which replaces the instance's limits for that call).
struct Limits {
  // Fuel units the call may consume: each basic block is charged its static
  // cost on entry, bulk operations and memory.grow a cost proportional to
  // their length (see README "Limits"). Empty: unmetered, and the metering
  // code is not run at all. Running out ends in OutcomeKind::OutOfFuel; the
  // Execution can be given more fuel and continued. At most INT64_MAX units
  // are held at once: a larger budget, or more added by Execution::addFuel,
  // saturates there (a sum never wraps around).
  std::optional<uint64_t> fuel;
  // Wall-clock budget of the call, counted from its start and across host
  // calls and suspensions. Empty: none. The deadline it gives saturates: a
  // timeout that reaches past the clock's range (up to nanoseconds::max())
  // means no practical deadline, never "expired"; zero or negative has
  // expired at once.
  std::optional<std::chrono::nanoseconds> timeout;
  // An absolute deadline; with a timeout too, the earlier one counts.
  // Clock::time_point::max() never passes.
  std::optional<Clock::time_point> deadline;
  // Cap on each linear memory the instance defines, in bytes (0: only the
  // type's maximum). Instantiation fails when the initial size is above it;
  // memory.grow past it returns -1 and the outcome records the refusal. Per
  // call, a lower cap refuses grows during that call.
  uint64_t max_memory_bytes = 0;
  // Cap on each table the instance defines, in elements (0: the
  // implementation limit, 10,000,000). Same rules as max_memory_bytes.
  uint64_t max_table_elements = 0;
  // Guest call depth and value-stack bytes of one call; beyond either the
  // guest traps with StackExhausted (never a native stack overflow). The
  // depth counts the called function's own frame: 1 lets it run but call
  // nothing (a guest call traps; host imports do not count). 0 is invalid:
  // Instance::call/start and Linker::instantiate refuse it with
  // ErrorCode::InvalidArgument.
  uint32_t max_call_depth = 10000;
  uint64_t max_stack_bytes = 8u << 20;
};

// How a deadline reaches a running guest. An engine thread serves every
// deadline; in addition, while a call with a deadline runs, halter arms a
// POSIX timer that sends a real-time signal to the thread running it, so
// the guest stops within microseconds instead of waiting for another CPU to
// wake (on a VM that took up to 5 ms). The signal is the highest real-time
// signal that has no handler when the first such call runs; its handler
// only sets the call's interrupt word, with SA_RESTART. A host function
// running at that moment on the guest's thread may see a wait such as
// poll(2) end with EINTR, but only once the deadline has passed. A thread
// that blocks the signal is stopped by the engine thread alone.
// useDeadlineSignal(false) turns the signal off for calls started after it
// (the engine thread alone then serves deadlines); deadlineSignal() says
// which signal is in use, 0 when none.
void useDeadlineSignal(bool on);
int deadlineSignal();

// Cancels, from any thread, every execution started with it: a running
// guest stops at its next check point, a host function sees
// CallContext::interrupted(), a parked execution ends when next run. The
// outcome is OutcomeKind::Cancelled. A token stays cancelled; cancelling
// before an execution starts cancels it at its first check point. Copies
// share one state. A default-constructed token is empty and cancels nothing.
class CancelToken {
public:
  CancelToken() = default;
  static CancelToken create();
  void cancel() const;
  bool cancelled() const;
  bool empty() const { return state_ == nullptr; }

private:
  friend struct detail::ApiAccess;
  struct State; // src/exec/cancel_token.cpp
  std::shared_ptr<State> state_;
};

} // namespace halter
