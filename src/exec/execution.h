// One call into a guest that can stop and continue (DESIGN §3.1, §4): the
// explicit stack, the interpreter registers saved between runs, the fuel
// counter, the deadline and the statistics.
#pragma once

#include "exec/deadline_timer.h"
#include "exec/frame.h"
#include "halter/halter.h"

#include <cxxabi.h>
#include <exception>
#include <optional>
#include <span>

namespace halter::exec {

class Execution {
public:
  Execution() = default;
  // Prepares the call of `fn` (guest or host) with `args`, already checked
  // against its type. Call once, before run().
  void init(const rt::Function &fn, std::span<const Value> args, const Limits &limits,
            const CancelToken &cancel);
  // The same with the arguments as raw slots, one per value (no v128): for
  // typed calls, which already checked the types.
  void initRaw(const rt::Function &fn, std::span<const uint64_t> arg_slots, const Limits &limits,
               const CancelToken &cancel);
  // Typed calls: results go as raw slots (one per value, no v128) to
  // `dst` instead of out.results, and run() reads no clock for
  // stats().wall_time (left 0).
  void returnRawResults(uint64_t *dst) { raw_results_ = dst; }
  void skipWallTime() { measure_wall_time_ = false; }
  ~Execution();
  Execution(const Execution &) = delete;
  Execution &operator=(const Execution &) = delete;

  // Runs until the next outcome, left in `out`. Errors, with nothing run:
  // ExecutionFinished once an outcome ended the execution; InstanceBusy when
  // another thread runs the instance (rt::Instance::tryEnter); ReentrantCall
  // when a not yet started execution finds its instance parked by another.
  Result<void> run();
  // For Instance::call, which cannot wait for an answer: a host call that
  // suspends ends the execution with a HostError trap that says to use start().
  void forbidSuspension() { suspension_allowed_ = false; }
  // Takes `inst` (null: nothing to take) for this execution until the end of
  // the current run(); true when it is now held by this thread. For the
  // entry instance and, meant for the interpreter's cross-instance calls, for
  // any instance the guest calls into (DESIGN §3.7).
  bool enterInstance(rt::Instance *inst);
  bool paused() const { return state_ == State::Paused; }
  bool suspended() const { return state_ == State::Suspended; }
  Result<void> resume(std::span<const Value> results);
  Result<void> resumeWithError(std::string message, int32_t code);
  bool finished() const { return state_ == State::Finished; }
  void addFuel(uint64_t units);
  uint64_t fuelLeft() const { return metered ? uint64_t(fuel) : 0; }
  const RunStats &stats() const { return stats_; }
  const CancelToken &cancelToken() const { return cancel_; }

  // Interpreter state, read and written by execute() (interpreter.cpp).
  const rt::Function *entry = nullptr;
  const rt::Function *cur = nullptr; // the running function
  const uint64_t *pc = nullptr;      // where to continue
  uint8_t *fp = nullptr;             // the running function's frame
  uint8_t *base = nullptr;           // the entry function's frame
  uint8_t *stack_end = nullptr;
  size_t depth = 0; // frame records in use (callers of the running function)
  uint64_t max_depth = 0;
  ExecStack *stack = nullptr;
  bool metered = false;
  // Fuel left; unmetered runs start with the maximum, so that bulk
  // operations can charge without a test for metering.
  int64_t fuel = INT64_MAX;
  uint64_t memory_cap_pages = UINT64_MAX; // per-call caps below the instance's
  uint64_t table_cap = UINT64_MAX;
  std::optional<Clock::time_point> deadline;
  Outcome out; // what the last execute() ended with
  // A suspended host call: the callee, where its results go (its frame in
  // the caller's stack), and the call instruction (for a backtrace).
  const rt::Function *pending_fn = nullptr;
  uint8_t *pending_frame = nullptr;
  const uint64_t *call_pc = nullptr;
  uint64_t peak_memory_bytes = 0;
  bool memory_cap_hit = false;
  bool table_cap_hit = false;

private:
  // Execution snapshots (execution_snapshot.cpp) read and set the state.
  friend struct ExecutionSnapshotAccess;
  // Paused: run() continues (OutOfFuel, or a suspension that was answered).
  // Suspended: a host call waits for resume/resumeWithError.
  enum class State : uint8_t { Ready, Paused, Suspended, Finished };
  void park(State state);
  void unpark();
  bool prepare(const rt::Function &fn, const Limits &limits, const CancelToken &cancel);
  void runHost();
  void runEntered();
  void leaveInstances();
  void refuseSuspension();
  void endInterrupted();
  void collectResults();
  void finish();
  // Counts the run that just ended in the called instance's statistics.
  void countRun();

  State state_ = State::Ready;
  std::vector<Value> host_args_; // the arguments, when `entry` is a host function
  // The run ends at once with this trap: the entry frame alone exceeds
  // max_stack_bytes (StackExhausted), or its code could not be lowered.
  std::optional<TrapKind> entry_trap_;
  uint64_t fuel_given_ = 0;
  RunStats stats_;
  CancelToken cancel_;
  std::optional<TimerId> timer_;
  rt::Instance *guarded_[2] = {};           // counted in paused_executions while parked
  std::optional<std::string> pending_trap_; // resumeWithError on a trapping import
  bool host_entry_answered_ = false;        // `entry` is a host function that was resumed
  bool suspension_allowed_ = true;
  bool measure_wall_time_ = true;
  uint64_t *raw_results_ = nullptr;
  // Instances taken by enterInstance during this run: the first ones inline,
  // so that a call allocates nothing for them; the rest in entered_more_.
  static constexpr size_t kEnteredInline = 2;
  rt::Instance *entered_[kEnteredInline] = {};
  size_t entered_count_ = 0;
  std::vector<rt::Instance *> entered_more_;
};

// Runs `ex` from its saved state until it returns, traps, is interrupted,
// runs out of fuel or suspends; the result is in ex.out (results not yet
// collected).
void execute(Execution &ex);

// Answers a host call of a HostErrors::NegativeCode import with an error:
// -code in its result slot at `frame`, the message kept for halter.last_error
// in `caller`.
void answerWithError(const rt::Function *fn, uint8_t *frame, rt::Instance *caller,
                     const std::string &message, int32_t code);

uint64_t nextSuspensionToken();

// Refuses limits no call can run under: max_call_depth 0 (limits.h).
Result<void> checkLimits(const Limits &limits);

// The traps of callHostFunction.
HostResult badErrorCodeTrap(const rt::Function &fn, const HostResult &r);
HostResult hostExceptionTrap(const rt::Function &fn, std::exception_ptr e);

// Calls host function `fn`; every host call goes through here. A C++
// exception escaping it becomes a trap HostError naming the function and the
// exception's what() (or "unknown exception"); an error answer with a code
// below 1 becomes a trap HostError naming the code, as resumeWithError
// refuses such codes.
// Inline: it is on every guest->host call, and the slow answers are out of
// line.
inline HostResult callHostFunction(const rt::Function &fn, CallContext &ctx,
                                   std::span<const Value> args, std::span<Value> results) {
  try {
    HostResult r = fn.host(ctx, args, results);
    if (r.kind() == HostResult::Kind::Error && r.errorCode() < 1) [[unlikely]]
      return badErrorCodeTrap(fn, r);
    return r;
  } catch (abi::__forced_unwind &) {
    throw; // thread cancellation must unwind
  } catch (...) {
    return hostExceptionTrap(fn, std::current_exception());
  }
}

} // namespace halter::exec
