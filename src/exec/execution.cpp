#include "exec/execution.h"

#include "compile/compiled_function.h"
#include "runtime/instance.h"

#include <algorithm>
#include <cstring>

namespace halter::exec {
namespace {

uint32_t slotsOf(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}

} // namespace

void Execution::init(const rt::Function &fn, std::span<const Value> args, const Limits &limits,
                     const CancelToken &cancel) {
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
    Clock::time_point t = Clock::now() + *limits.timeout;
    if (!deadline || t < *deadline) deadline = t;
  }

  // Host entry functions need no value stack, only the interrupt word.
  uint64_t bytes = fn.isHost() ? 8 : limits.max_stack_bytes & ~uint64_t{7};
  stack = acquireStack(bytes);
  if (stack == nullptr) {
    // Not even the stack could be had: end at the first run.
    entry_too_big_ = true;
    stack = acquireStack(8);
  }
  if (!cancel.empty()) {
    cancel_ = cancel;
    cancel_.attach(&stack->interrupt);
  }
  if (deadline) timer_ = scheduleDeadline(*deadline, &stack->interrupt);

  if (fn.isHost()) {
    host_args_.assign(args.begin(), args.end());
    return;
  }
  const compile::CompiledFunction &code = *fn.code;
  if (entry_too_big_ || uint64_t(code.frame_slots) * 8 > bytes) {
    entry_too_big_ = true;
    return;
  }
  max_depth = limits.max_call_depth > 0 ? limits.max_call_depth - 1 : 0;
  base = reinterpret_cast<uint8_t *>(stack->slots.get());
  fp = base;
  stack_end = base + bytes;
  size_t off = 0;
  for (const Value &v : args) {
    uint64_t lo = v.lowBits(), hi = v.highBits();
    std::memcpy(base + off * 8, &lo, 8);
    if (v.type() == ValType::V128) std::memcpy(base + off * 8 + 8, &hi, 8);
    off += slotsOf(v.type());
  }
  std::memset(base + code.num_param_slots * 8, 0,
              (code.num_local_slots - code.num_param_slots) * 8);
  pc = code.codeFor(metered).data();
  if (rt::Memory *mem = fn.instance->memory0) peak_memory_bytes = mem->sizeBytes();
}

Execution::~Execution() {
  if (state_ == State::Paused && guarded_ != nullptr) guarded_->paused_executions--;
  if (state_ != State::Finished) finish();
}

void Execution::cancel() {
  if (state_ != State::Finished) stack->interrupt.raise(Interrupt::kCancel);
}

void Execution::addFuel(uint64_t units) {
  if (!metered) return;
  uint64_t room = uint64_t(INT64_MAX) - uint64_t(fuel);
  units = std::min(units, room);
  fuel += int64_t(units);
  fuel_given_ += units;
}

const Outcome &Execution::run() {
  if (state_ == State::Finished) return out;
  if (state_ == State::Paused && guarded_ != nullptr) {
    guarded_->paused_executions--;
    guarded_ = nullptr;
  }
  Clock::time_point started = Clock::now();
  out.kind = OutcomeKind::Returned;
  // The timer thread may not have seen a deadline that is already past.
  if (deadline && started >= *deadline) stack->interrupt.raise(Interrupt::kDeadline);
  if (stack->interrupt.raised()) {
    endInterrupted();
  } else if (entry_too_big_) {
    out.kind = OutcomeKind::Trapped;
    out.trap.kind = TrapKind::StackExhausted;
    out.trap.backtrace.push_back(BacktraceFrame{entry->func_index, 0, {}});
  } else if (entry->isHost()) {
    runHost();
  } else {
    execute(*this);
  }
  stats_.wall_time += Clock::now() - started;
  if (metered) stats_.fuel_used = fuel_given_ - uint64_t(fuel);
  stats_.peak_memory_bytes = peak_memory_bytes;
  stats_.memory_cap_hit = memory_cap_hit;
  stats_.table_cap_hit = table_cap_hit;
  out.stats = stats_;

  if (out.kind == OutcomeKind::OutOfFuel) {
    state_ = State::Paused;
    guarded_ = entry->instance;
    if (guarded_ != nullptr) guarded_->paused_executions++;
  } else {
    if (out.kind == OutcomeKind::Returned) collectResults();
    finish();
  }
  return out;
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
  CallContext ctx(nullptr, &stack->interrupt, deadline);
  HostResult r = entry->host(ctx, host_args_, out.results);
  if (stack->interrupt.raised()) {
    out.results.clear();
    endInterrupted();
    return;
  }
  switch (r.kind()) {
  case HostResult::Kind::Ok:
    return;
  case HostResult::Kind::Trap:
    out.results.clear();
    out.kind = OutcomeKind::Trapped;
    out.trap.kind = TrapKind::HostError;
    out.trap.message = r.message();
    return;
  case HostResult::Kind::Exit:
    out.results.clear();
    out.kind = OutcomeKind::Exited;
    out.exit_code = r.exitCode();
    return;
  }
}

void Execution::collectResults() {
  if (entry->isHost()) return; // runHost wrote them
  const std::vector<ValType> &types = entry->type->results;
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
  if (!cancel_.empty()) cancel_.detach(&stack->interrupt);
  releaseStack(stack);
  stack = nullptr;
}

} // namespace halter::exec
