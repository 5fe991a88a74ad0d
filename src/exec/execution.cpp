#include "exec/execution.h"
#include "exec/thread_alarm.h"

#include "compile/compiled_function.h"
#include "exec/cancel_token.h"
#include "exec/lazy_lowering.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <cxxabi.h>
#include <exception>

namespace halter::exec {
namespace {

uint32_t slotsOf(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}

// Lays `values` out in consecutive slots from `frame` (the frame layout of
// compile/register_code.h).
void writeSlots(uint8_t *frame, std::span<const Value> values) {
  size_t off = 0;
  for (const Value &v : values) {
    uint64_t lo = v.lowBits(), hi = v.highBits();
    std::memcpy(frame + off * 8, &lo, 8);
    if (v.type() == ValType::V128) std::memcpy(frame + off * 8 + 8, &hi, 8);
    off += slotsOf(v.type());
  }
}

// The answer of a NegativeCode import that failed with `code`.
Value negativeCode(ValType t, int32_t code) {
  return t == ValType::I32 ? Value::i32(uint32_t(-code)) : Value::i64(uint64_t(-int64_t(code)));
}

// `now + timeout`, saturated: a timeout beyond the clock's range is no
// practical deadline (the far end of the clock), never one in the past; a
// negative timeout has expired already.
Clock::time_point deadlineAfter(Clock::time_point now, std::chrono::nanoseconds timeout) {
  if (timeout <= std::chrono::nanoseconds::zero()) return now;
  if (timeout >= Clock::time_point::max() - now) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(timeout);
}

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// "module.name" of a host function, for messages.
std::string hostName(const rt::Function &fn) {
  if (fn.host_module.empty() && fn.host_name.empty()) return "(unnamed)";
  return fn.host_module + "." + fn.host_name;
}

// The message of an exception that escaped a host function.
std::string exceptionText(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception &ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception";
  }
}

} // namespace

Result<void> checkLimits(const Limits &limits) {
  if (limits.max_call_depth == 0) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "Limits::max_call_depth must be at least 1 (the called function's own frame)");
  }
  return okResult();
}

HostResult hostExceptionTrap(const rt::Function &fn, std::exception_ptr e) {
  return HostResult::trap("host function " + hostName(fn) + " threw: " + exceptionText(e));
}

HostResult badErrorCodeTrap(const rt::Function &fn, const HostResult &r) {
  return HostResult::trap("host function " + hostName(fn) +
                          " answered HostResult::error with code " + std::to_string(r.errorCode()) +
                          " (error codes must be >= 1): " + r.message());
}

// Everything a run needs but the arguments; true when the entry is guest
// code whose frame is ready for them (at `base`).
bool Execution::prepare(const rt::Function &fn, const Limits &limits, const CancelToken &cancel) {
  entry = &fn;
  cur = &fn;
  metered = limits.fuel.has_value();
  if (metered) {
    fuel = static_cast<int64_t>(std::min<uint64_t>(*limits.fuel, INT64_MAX));
    fuel_given_ = uint64_t(fuel);
  }
  if (limits.max_memory_bytes != 0) memory_cap_pages = limits.max_memory_bytes / kPageSize;
  if (limits.max_table_elements != 0) table_cap = limits.max_table_elements;
  deadline = limits.deadline;
  if (limits.timeout) {
    Clock::time_point t = deadlineAfter(Clock::now(), *limits.timeout);
    if (!deadline || t < *deadline) deadline = t;
  }

  // Host entry functions need no value stack, only the interrupt word.
  uint64_t bytes = fn.isHost() ? 8 : limits.max_stack_bytes & ~uint64_t{7};
  stack = acquireStack(bytes);
  if (stack == nullptr) {
    // Not even the stack could be had: end at the first run.
    entry_trap_ = TrapKind::StackExhausted;
    stack = acquireStack(8);
  }
  if (!cancel.empty()) {
    cancel_ = cancel;
    attachCancel(cancel_, &stack->interrupt);
  }
  // The far end of the clock never comes: no timer for it.
  if (deadline && *deadline != Clock::time_point::max())
    timer_ = scheduleDeadline(*deadline, &stack->interrupt);

  if (fn.isHost()) return false;
  if (entry_trap_) return false;
  const compile::CompiledFunction &code = *fn.code;
  const compile::Form form = compile::formFor(metered);
  if (lowerOnCall(code, form) == nullptr) {
    entry_trap_ = TrapKind::LoweringFailed;
    return false;
  }
  const compile::LoweredCode &lowered = *code.lowered(form);
  if (uint64_t(lowered.frame_slots) * 8 > bytes) {
    entry_trap_ = TrapKind::StackExhausted;
    return false;
  }
  max_depth = limits.max_call_depth > 0 ? limits.max_call_depth - 1 : 0;
  base = reinterpret_cast<uint8_t *>(stack->slots.get());
  fp = base;
  stack_end = base + bytes;
  std::memset(base + code.num_param_slots * 8, 0,
              (code.num_local_slots - code.num_param_slots) * 8);
  // The entry block's Fuel runs here (a call pays it and skips it).
  pc = lowered.code.data();
  if (rt::Memory *mem = fn.instance->memory0) peak_memory_bytes = mem->sizeBytes();
  return true;
}

void Execution::init(const rt::Function &fn, std::span<const Value> args, const Limits &limits,
                     const CancelToken &cancel) {
  if (prepare(fn, limits, cancel))
    writeSlots(base, args);
  else if (fn.isHost())
    host_args_.assign(args.begin(), args.end());
}

void Execution::initRaw(const rt::Function &fn, std::span<const uint64_t> arg_slots,
                        const Limits &limits, const CancelToken &cancel) {
  if (prepare(fn, limits, cancel)) {
    if (!arg_slots.empty()) std::memcpy(base, arg_slots.data(), arg_slots.size() * 8);
  } else if (fn.isHost()) {
    const std::vector<ValType> &types = fn.type->params;
    host_args_.clear();
    for (size_t i = 0; i < types.size() && i < arg_slots.size(); ++i)
      host_args_.push_back(Value::fromBits(types[i], arg_slots[i], 0));
  }
}

Execution::~Execution() {
  unpark();
  if (state_ != State::Finished) finish();
}

// While parked, the called instance and the one whose code stopped (they
// differ when the guest called into another instance) refuse new calls
// (DESIGN §5).
void Execution::park(State state) {
  state_ = state;
  if (guarded_[0] != nullptr || guarded_[1] != nullptr) return;
  guarded_[0] = entry->instance;
  if (cur != nullptr && cur->instance != entry->instance) guarded_[1] = cur->instance;
  for (rt::Instance *inst : guarded_)
    if (inst != nullptr) inst->paused_executions++;
}

void Execution::unpark() {
  for (rt::Instance *&inst : guarded_) {
    if (inst != nullptr) inst->paused_executions--;
    inst = nullptr;
  }
}

void Execution::addFuel(uint64_t units) {
  if (!metered) return;
  uint64_t room = uint64_t(INT64_MAX) - uint64_t(fuel);
  units = std::min(units, room);
  fuel += int64_t(units);
  fuel_given_ = saturatingAdd(fuel_given_, units);
}

bool Execution::enterInstance(rt::Instance *inst) {
  if (inst == nullptr) return true;
  size_t inline_count = std::min(entered_count_, kEnteredInline);
  if (std::find(entered_, entered_ + inline_count, inst) != entered_ + inline_count ||
      std::find(entered_more_.begin(), entered_more_.end(), inst) != entered_more_.end())
    return true;
  if (!inst->tryEnter()) return false;
  if (entered_count_ < kEnteredInline)
    entered_[entered_count_] = inst;
  else
    entered_more_.push_back(inst);
  ++entered_count_;
  return true;
}

void Execution::leaveInstances() {
  for (size_t i = 0; i < std::min(entered_count_, kEnteredInline); ++i) entered_[i]->leave();
  for (rt::Instance *inst : entered_more_) inst->leave();
  entered_count_ = 0;
  entered_more_.clear();
}

Result<void> Execution::run() {
  if (state_ == State::Finished) {
    return makeError(ErrorCode::ExecutionFinished, kNoOffset,
                     "the execution has finished (the run() that ended it returned its outcome)");
  }
  // The timer thread may not have seen a deadline that is already past.
  if (deadline && Clock::now() >= *deadline) stack->interrupt.raise(Interrupt::kDeadline);
  // Unanswered: nothing to run, unless an interrupt ends the execution.
  if (state_ == State::Suspended && !stack->interrupt.raised()) return okResult();
  // Instances are single-threaded: take the called instance and the one
  // whose code stopped (they differ when the guest called into another),
  // and give them back however run() is left; after park(), so that a
  // thread that takes an instance next sees it parked.
  struct Leave {
    Execution *ex;
    ~Leave() { ex->leaveInstances(); }
  } leave{this};
  if (!enterInstance(entry->instance) || !enterInstance(cur->instance)) {
    return makeError(ErrorCode::InstanceBusy, kNoOffset,
                     "the instance is running a call on another thread; an instance runs one "
                     "call at a time (use one instance per thread)");
  }
  // Held now, so no parked execution can appear under us.
  if (state_ == State::Ready && entry->instance != nullptr &&
      entry->instance->paused_executions.load() != 0) {
    return makeError(ErrorCode::ReentrantCall, kNoOffset,
                     "the instance has a paused execution; resume or drop it first");
  }
  runEntered();
  return okResult();
}

void Execution::refuseSuspension() {
  out.kind = OutcomeKind::Trapped;
  out.trap.kind = TrapKind::HostError;
  out.trap.message = "host function " + hostName(*pending_fn) +
                     " suspended under Instance::call(), which cannot wait for an answer; use "
                     "Instance::start() and Execution::resume() for imports that suspend";
  if (!entry->isHost())
    out.trap.backtrace = buildBacktrace(cur, call_pc, stack->frames.data(), depth, metered);
  out.pending = PendingCall{};
}

void Execution::runEntered() {
  Clock::time_point started = measure_wall_time_ ? Clock::now() : Clock::time_point{};
  unpark();
  out.kind = OutcomeKind::Returned;
  if (stack->interrupt.raised()) {
    endInterrupted();
  } else if (pending_trap_) {
    out.kind = OutcomeKind::Trapped;
    out.trap.kind = TrapKind::HostError;
    out.trap.message = std::move(*pending_trap_);
    pending_trap_.reset();
    if (!entry->isHost())
      out.trap.backtrace = buildBacktrace(cur, call_pc, stack->frames.data(), depth, metered);
  } else if (host_entry_answered_) {
    // out.results hold the answer.
  } else if (entry_trap_) {
    out.kind = OutcomeKind::Trapped;
    out.trap.kind = *entry_trap_;
    out.trap.backtrace.push_back(BacktraceFrame{entry->func_index, 0, 0, {}});
  } else if (entry->isHost()) {
    runHost();
  } else {
    ThreadAlarm alarm(deadline, &stack->interrupt);
    execute(*this);
  }
  if (out.kind == OutcomeKind::Suspended && !suspension_allowed_) refuseSuspension();
  if (measure_wall_time_) stats_.wall_time += Clock::now() - started;
  if (metered) stats_.fuel_used = fuel_given_ - uint64_t(fuel);
  stats_.peak_memory_bytes = peak_memory_bytes;
  stats_.memory_cap_hit = memory_cap_hit;
  stats_.table_cap_hit = table_cap_hit;
  out.stats = stats_;
  countRun();

  if (out.kind == OutcomeKind::OutOfFuel) {
    park(State::Paused);
  } else if (out.kind == OutcomeKind::Suspended) {
    park(State::Suspended);
  } else {
    if (out.kind == OutcomeKind::Returned) collectResults();
    finish();
  }
}

void Execution::countRun() {
  rt::Instance *inst = entry->instance;
  if (inst == nullptr) return; // a host function called directly
  inst->runs.fetch_add(1, std::memory_order_relaxed);
  switch (out.kind) {
  case OutcomeKind::Trapped:
    inst->traps.fetch_add(1, std::memory_order_relaxed);
    break;
  case OutcomeKind::OutOfFuel:
  case OutcomeKind::DeadlineExceeded:
  case OutcomeKind::Cancelled:
    inst->limit_stops.fetch_add(1, std::memory_order_relaxed);
    break;
  default:
    break;
  }
}

void Execution::endInterrupted() {
  uint32_t bits = stack->interrupt.word.load(std::memory_order_relaxed);
  // Cancel wins: it is the embedder's explicit word.
  out.kind = (bits & Interrupt::kCancel) ? OutcomeKind::Cancelled : OutcomeKind::DeadlineExceeded;
}

void Execution::runHost() {
  const FuncType &t = *entry->type;
  out.results.resize(t.results.size());
  for (size_t i = 0; i < t.results.size(); ++i) out.results[i] = Value::zero(t.results[i]);
  CallContext ctx = detail::ApiAccess::makeCallContext(nullptr, &stack->interrupt, deadline);
  HostResult r = callHostFunction(*entry, ctx, host_args_, out.results);
  if (stack->interrupt.raised()) {
    out.results.clear();
    endInterrupted();
    return;
  }
  switch (r.kind()) {
  case HostResult::Kind::Ok:
    return;
  case HostResult::Kind::Error:
    if (entry->host_errors == HostErrors::NegativeCode) {
      out.results[0] = negativeCode(t.results[0], r.errorCode());
      return;
    }
    [[fallthrough]];
  case HostResult::Kind::Trap:
    out.results.clear();
    out.kind = OutcomeKind::Trapped;
    out.trap.kind = TrapKind::HostError;
    out.trap.message = r.message();
    return;
  case HostResult::Kind::Suspend:
    out.results.clear();
    out.kind = OutcomeKind::Suspended;
    out.pending =
        PendingCall{entry->host_module, entry->host_name, host_args_, nextSuspensionToken()};
    pending_fn = entry;
    return;
  case HostResult::Kind::Exit:
    out.results.clear();
    out.kind = OutcomeKind::Exited;
    out.exit_code = r.exitCode();
    return;
  }
}

Result<void> Execution::resume(std::span<const Value> results) {
  if (state_ != State::Suspended)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "no suspended host call to resume");
  const std::vector<ValType> &types = pending_fn->type->results;
  if (results.size() != types.size()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "resume: " + pending_fn->host_name + " returns " +
                         std::to_string(types.size()) + " values, got " +
                         std::to_string(results.size()));
  }
  for (size_t i = 0; i < types.size(); ++i) {
    if (results[i].type() != types[i]) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "resume: result " + std::to_string(i + 1) + " of " + pending_fn->host_name +
                           " must be " + valTypeName(types[i]) + ", got " +
                           valTypeName(results[i].type()));
    }
  }
  if (entry->isHost()) {
    out.results.assign(results.begin(), results.end());
    host_entry_answered_ = true;
  } else {
    writeSlots(pending_frame, results);
  }
  state_ = State::Paused;
  return okResult();
}

Result<void> Execution::resumeWithError(std::string message, int32_t code) {
  if (state_ != State::Suspended)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "no suspended host call to resume");
  if (code < 1) return makeError(ErrorCode::InvalidArgument, kNoOffset, "error code must be >= 1");
  if (pending_fn->host_errors != HostErrors::NegativeCode) {
    pending_trap_ = std::move(message);
  } else if (entry->isHost()) {
    out.results = {negativeCode(pending_fn->type->results[0], code)};
    host_entry_answered_ = true;
  } else {
    answerWithError(pending_fn, pending_frame, cur->instance, message, code);
  }
  state_ = State::Paused;
  return okResult();
}

void answerWithError(const rt::Function *fn, uint8_t *frame, rt::Instance *caller,
                     const std::string &message, int32_t code) {
  uint64_t bits = negativeCode(fn->type->results[0], code).lowBits();
  std::memcpy(frame, &bits, 8);
  if (caller != nullptr) caller->last_host_error = message;
}

uint64_t nextSuspensionToken() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void Execution::collectResults() {
  const std::vector<ValType> &types = entry->type->results;
  if (raw_results_ != nullptr) {
    if (entry->isHost()) {
      for (size_t i = 0; i < out.results.size(); ++i) raw_results_[i] = out.results[i].lowBits();
    } else if (!types.empty()) {
      std::memcpy(raw_results_, base, types.size() * 8);
    }
    return;
  }
  if (entry->isHost()) return; // runHost or resume wrote them
  out.results.clear();
  out.results.reserve(types.size());
  size_t off = 0;
  for (ValType t : types) {
    uint64_t lo, hi = 0;
    std::memcpy(&lo, base + off * 8, 8);
    if (t == ValType::V128) std::memcpy(&hi, base + off * 8 + 8, 8);
    if (t == ValType::I32 || t == ValType::F32) lo &= 0xFFFFFFFFu;
    out.results.push_back(Value::fromBits(t, lo, hi));
    off += slotsOf(t);
  }
}

void Execution::finish() {
  state_ = State::Finished;
  if (timer_) cancelDeadline(*timer_);
  timer_.reset();
  if (stack == nullptr) return; // never initialised
  if (!cancel_.empty()) detachCancel(cancel_, &stack->interrupt);
  releaseStack(stack);
  stack = nullptr;
}

} // namespace halter::exec
