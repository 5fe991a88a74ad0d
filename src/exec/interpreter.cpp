#include "exec/interpreter.h"

#include "compile/register_code.h"
#include "exec/execution.h"
#include "exec/frame.h"
#include "exec/lazy_lowering.h"
#include "exec/ops/float_ops.h"
#include "exec/ops/int_ops.h"
#include "exec/ops/slot.h"
#include "runtime/api_access.h"
#include "runtime/bulk.h"
#include "runtime/instance.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

// Direct threading needs the labels-as-values extension (GCC, Clang); other
// compilers, or -DHALTER_SWITCH_DISPATCH, get a switch loop.
#if defined(__GNUC__) && !defined(HALTER_SWITCH_DISPATCH)
#define HALTER_COMPUTED_GOTO 1
#else
#define HALTER_COMPUTED_GOTO 0
#endif

namespace halter::exec {
namespace {

using compile::IOp;
using namespace ops;

uint32_t slotsOf(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}

// Declared locals start at zero. Frames are small: a plain loop beats a call
// to memset (the empty asm keeps the compiler from making it one).
inline void zeroLocals(uint8_t *fp, const compile::CompiledFunction &fn) {
  uint64_t *p = reinterpret_cast<uint64_t *>(fp) + fn.num_param_slots;
  uint64_t *end = reinterpret_cast<uint64_t *>(fp) + fn.num_local_slots;
  while (p < end) {
    *p++ = 0;
#ifdef __GNUC__
    asm("" : "+r"(p));
#endif
  }
}

// Host call from guest code: arguments from the frame at `frame`, results
// back into it. Returns the host's answer; its results are written only for
// Ok. An error of a NegativeCode import is answered here and becomes Ok; a
// suspension records the pending call in ex.out.pending. A C++ exception or an
// error code below 1 is a trap (callHostFunction, execution.h).
HostResult callHost(const rt::Function *fn, uint8_t *frame, rt::Instance *caller, Execution &ex) {
  const FuncType &t = *fn->type;
  constexpr size_t kInline = 8;
  Value arg_buf[kInline], res_buf[kInline];
  std::vector<Value> arg_vec, res_vec;
  Value *args = arg_buf, *results = res_buf;
  if (t.params.size() > kInline) {
    arg_vec.resize(t.params.size());
    args = arg_vec.data();
  }
  if (t.results.size() > kInline) {
    res_vec.resize(t.results.size());
    results = res_vec.data();
  }
  size_t off = 0;
  for (size_t i = 0; i < t.params.size(); ++i) {
    ValType vt = t.params[i];
    uint64_t lo = load<uint64_t>(frame + off * 8);
    uint64_t hi = vt == ValType::V128 ? load<uint64_t>(frame + off * 8 + 8) : 0;
    if (vt == ValType::I32 || vt == ValType::F32) lo &= 0xFFFFFFFFu;
    args[i] = Value::fromBits(vt, lo, hi);
    off += slotsOf(vt);
  }
  for (size_t i = 0; i < t.results.size(); ++i) results[i] = Value::zero(t.results[i]);
  CallContext ctx = detail::ApiAccess::makeCallContext(caller, &ex.stack->interrupt, ex.deadline);
  HostResult r = callHostFunction(*fn, ctx, std::span<const Value>(args, t.params.size()),
                                  std::span<Value>(results, t.results.size()));
  switch (r.kind()) {
  case HostResult::Kind::Ok:
    break;
  case HostResult::Kind::Error:
    if (fn->host_errors != HostErrors::NegativeCode) return HostResult::trap(r.message());
    answerWithError(fn, frame, caller, r.message(), r.errorCode());
    return HostResult::ok();
  case HostResult::Kind::Suspend:
    ex.out.pending =
        PendingCall{fn->host_module, fn->host_name,
                    std::vector<Value>(args, args + t.params.size()), nextSuspensionToken()};
    return r;
  default:
    return r;
  }
  off = 0;
  for (size_t i = 0; i < t.results.size(); ++i) {
    store<uint64_t>(frame + off * 8, results[i].lowBits());
    if (t.results[i] == ValType::V128) store<uint64_t>(frame + off * 8 + 8, results[i].highBits());
    off += slotsOf(t.results[i]);
  }
  return r;
}

#if HALTER_COMPUTED_GOTO
// The handler addresses, published by executeFrom(nullptr) for threadCode.
const void *const *g_handlers = nullptr;
#endif

// Makes room for more frame records, up to the depth limit.
bool growFrames(Execution &run, Frame **frames, Frame **top, Frame **end) {
  size_t depth = static_cast<size_t>(*top - *frames);
  if (depth >= run.max_depth) return false;
  std::vector<Frame> &v = run.stack->frames;
  size_t grown = std::min<size_t>(std::max<size_t>(depth * 2 + 16, v.size()), run.max_depth);
  if (grown > v.size()) v.resize(grown);
  *frames = v.data();
  *top = *frames + depth;
  *end = *frames + grown;
  return true;
}

// Runs `run` from its saved state (see execute()). Called with nullptr once,
// to publish the handler addresses for threadCode.
void executeFrom(Execution *run) {
#if HALTER_COMPUTED_GOTO
  static const void *const kHandlers[] = {
#define HALTER_LABEL_FIXED(name, words) &&L_##name,
      HALTER_IOPS_FIXED(HALTER_LABEL_FIXED)
#undef HALTER_LABEL_FIXED
#define HALTER_LABEL_LD(op) &&L_Ld##op, &&L_LdA##op, &&L_LdS##op,
          HALTER_LOAD_OPS(HALTER_LABEL_LD)
#undef HALTER_LABEL_LD
#define HALTER_LABEL_ST(op) &&L_St##op, &&L_StI##op, &&L_StA##op, &&L_StAI##op,
              HALTER_STORE_OPS(HALTER_LABEL_ST)
#undef HALTER_LABEL_ST
#define HALTER_LABEL_UN(op) &&L_Un##op,
                  HALTER_UNARY_OPS(HALTER_LABEL_UN)
#undef HALTER_LABEL_UN
#define HALTER_LABEL_BIN(op) &&L_Bin##op, &&L_Imm##op,
                      HALTER_BINARY_OPS(HALTER_LABEL_BIN)
#undef HALTER_LABEL_BIN
#define HALTER_LABEL_BR(op) &&L_Br##op, &&L_BrImm##op,
                          HALTER_BRCMP_OPS(HALTER_LABEL_BR)
#undef HALTER_LABEL_BR
#define HALTER_LABEL_BINLD(op, load) &&L_BinLd##op,
                              HALTER_LOADOP_OPS(HALTER_LABEL_BINLD)
#undef HALTER_LABEL_BINLD
#define HALTER_LABEL_BRADD(op) &&L_BrAddSS##op, &&L_BrAddSI##op, &&L_BrAddIS##op, &&L_BrAddII##op,
                                  HALTER_BRADD_OPS(HALTER_LABEL_BRADD)
#undef HALTER_LABEL_BRADD
  };
  static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == compile::kIOpCount);
  if (run == nullptr) {
    g_handlers = kHandlers;
    return;
  }
#define OPCODE(name) L_##name:
#define DISPATCH() goto *reinterpret_cast<const void *>(*pc)
#else
  if (run == nullptr) return;
#define OPCODE(name) case IOp::name:
#define DISPATCH() goto dispatch
#endif

#define NEXT(n)                                                                                    \
  do {                                                                                             \
    pc += (n);                                                                                     \
    DISPATCH();                                                                                    \
  } while (0)
#define SLOT(k) (fp + pc[k])
#define RD(T, k) load<T>(SLOT(k))
#define WR(k, v) store<uint64_t>(SLOT(k), toSlot(v))
#define TRAP(kind)                                                                                 \
  do {                                                                                             \
    trap_kind = TrapKind::kind;                                                                    \
    goto trap;                                                                                     \
  } while (0)
  // Taken branch to the offset in word `k`, the only way any handler
  // branches. An offset <= 0 is a loop back edge (register_code.h: the
  // lowering places every other target after the branch): a check point.
  // Zero is a loop of one instruction, e.g. `loop br 0 end`.
#define JUMP(k)                                                                                    \
  do {                                                                                             \
    int64_t off_ = static_cast<int64_t>(pc[k]);                                                    \
    pc += off_;                                                                                    \
    if (off_ <= 0) CHECK_POINT();                                                                  \
    DISPATCH();                                                                                    \
  } while (0)
  // Bulk operations pay for their length before doing any work (unmetered
  // runs have fuel enough never to stop here).
#define CHARGE(units)                                                                              \
  do {                                                                                             \
    uint64_t units_ = (units);                                                                     \
    if (units_ > uint64_t(fuel)) [[unlikely]]                                                      \
      goto out_of_fuel;                                                                            \
    fuel -= int64_t(units_);                                                                       \
  } while (0)
#define CHECK_POINT()                                                                              \
  do {                                                                                             \
    if (interrupt->load(std::memory_order_relaxed) != 0) [[unlikely]]                              \
      goto interrupted;                                                                            \
  } while (0)

  // The running function lives in memory, not a register: it is needed only
  // by calls, returns and traps, and registers are better spent on pc, fp and
  // the memory base and size.
  rt::Instance *inst = run->cur->instance;
  const uint64_t *pc = run->pc;
  uint8_t *fp = run->fp;
  uint8_t *const stack_end = run->stack_end;
  const std::atomic<uint32_t> *const interrupt = &run->stack->interrupt.word;
  const bool metered = run->metered;
  const compile::Form form = compile::formFor(metered);
  int64_t fuel = run->fuel;
  Frame *frames = run->stack->frames.data();
  Frame *frames_top = frames + run->depth;
  Frame *frames_end = frames + std::min<size_t>(run->stack->frames.size(), run->max_depth);
  rt::Function *const *funcs = inst->funcs.data();
  rt::Memory *mem = inst->memory0;
  uint8_t *mbase = mem ? mem->base_ : nullptr;
  uint64_t msize = mem ? mem->size_bytes_ : 0;
  TrapKind trap_kind = TrapKind::Unreachable;
  HostResult host_result = HostResult::ok();
  // The host call that stopped the guest (suspend): its frame and length.
  const rt::Function *host_callee = nullptr;
  uint8_t *host_frame = nullptr;
  uint64_t host_call_words = 0;

#define RELOAD_MEMORY()                                                                            \
  do {                                                                                             \
    mbase = mem ? mem->base_ : nullptr;                                                            \
    msize = mem ? mem->size_bytes_ : 0;                                                            \
  } while (0)
#define SWITCH_INSTANCE(new_inst)                                                                  \
  do {                                                                                             \
    inst = (new_inst);                                                                             \
    funcs = inst->funcs.data();                                                                    \
    mem = inst->memory0;                                                                           \
    RELOAD_MEMORY();                                                                               \
  } while (0)

#if HALTER_COMPUTED_GOTO
  DISPATCH();
#else
dispatch:
  switch (static_cast<IOp>(*pc)) {
#endif

  // The handlers, by family. Each file defines and undefines its own form
  // macros and may use the macros and registers above; a new family is a
  // file here and its forms' labels in kHandlers.
#include "exec/handlers/basic.inc"
#include "exec/handlers/branches.inc"
#include "exec/handlers/bulk.inc"
#include "exec/handlers/calls.inc"
#include "exec/handlers/memory.inc"
#include "exec/handlers/numeric.inc"

#if !HALTER_COMPUTED_GOTO
default:
  TRAP(Unreachable);
}
#endif

// clang-format cannot follow labels after the handler macros.
// clang-format off
finished:
  run->out.kind = OutcomeKind::Returned;
  run->fuel = fuel;
  return;

out_of_fuel:
  // Everything needed to continue at pc.
  run->out.kind = OutcomeKind::OutOfFuel;
  run->pc = pc;
  run->fp = fp;
  run->depth = static_cast<size_t>(frames_top - frames);
  run->fuel = fuel;
  return;

interrupted:
  run->out.kind = (interrupt->load(std::memory_order_relaxed) & Interrupt::kCancel)
                      ? OutcomeKind::Cancelled
                      : OutcomeKind::DeadlineExceeded;
  run->fuel = fuel;
  return;

host_stopped:
  if (host_result.kind() == HostResult::Kind::Suspend) {
    // Continue after the call once answered (Execution::resume).
    run->out.kind = OutcomeKind::Suspended;
    run->call_pc = pc;
    run->pc = pc + host_call_words;
    run->fp = fp;
    run->depth = static_cast<size_t>(frames_top - frames);
    run->fuel = fuel;
    run->pending_fn = host_callee;
    run->pending_frame = host_frame;
    return;
  }
  if (host_result.kind() == HostResult::Kind::Exit) {
    run->out.kind = OutcomeKind::Exited;
    run->out.exit_code = host_result.exitCode();
    run->fuel = fuel;
    return;
  }
  // An error from a host call that a deadline or cancel cut short (its wait
  // ended with EINTR, say) is that stop, not a trap of its own.
  if (interrupt->load(std::memory_order_relaxed) != 0) goto interrupted;
  trap_kind = TrapKind::HostError;
  run->out.trap.message = host_result.message();
  // fall through to the trap

trap:
  run->out.kind = OutcomeKind::Trapped;
  run->out.trap.kind = trap_kind;
  run->out.trap.backtrace = buildBacktrace(run->cur, pc, frames,
                                           static_cast<size_t>(frames_top - frames), metered);
  run->fuel = fuel;
  return;
// clang-format on

#undef OPCODE
#undef DISPATCH
#undef NEXT
#undef SLOT
#undef RD
#undef WR
#undef TRAP
#undef CHECK_POINT
#undef CHARGE
#undef JUMP
#undef RELOAD_MEMORY
#undef SWITCH_INSTANCE
}

} // namespace

void threadCode(compile::LoweredCode &lowered) {
#if HALTER_COMPUTED_GOTO
  // Thread-safe one-time publication of the handler table.
  static const bool published = (executeFrom(nullptr), true);
  (void)published;
  std::vector<uint64_t> &code = lowered.code;
  for (size_t i = 0; i < code.size();) {
    size_t words = compile::instrWords(&code[i]);
    code[i] = reinterpret_cast<uintptr_t>(g_handlers[code[i]]);
    i += words;
  }
#else
  (void)lowered;
#endif
}

void execute(Execution &ex) {
  executeFrom(&ex);
}

} // namespace halter::exec
