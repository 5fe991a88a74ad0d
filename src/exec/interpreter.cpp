#include "exec/interpreter.h"

#include "compile/register_code.h"
#include "exec/execution.h"
#include "exec/float_ops.h"
#include "exec/frame.h"
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

template <class T> inline T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T> inline void store(uint8_t *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// A value as the 64 bits of its slot (i32/f32 zero-extended).
inline uint64_t toSlot(uint32_t v) {
  return v;
}
inline uint64_t toSlot(uint64_t v) {
  return v;
}
inline uint64_t toSlot(float v) {
  return std::bit_cast<uint32_t>(v);
}
inline uint64_t toSlot(double v) {
  return std::bit_cast<uint64_t>(v);
}

template <class T> inline T fromImm(uint64_t w) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<T>(static_cast<uint32_t>(w));
  else
    return std::bit_cast<T>(w);
}

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

const void *const *g_handlers = nullptr;

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

  // Enters `callee` with its frame at `nfp`; the call instruction is `words` long.
  // Metered calls pay the callee's entry block in the call (one dispatch less
  // per call); when it cannot be paid, the call stops before it starts.
#define PAY_ENTRY(cf)                                                                              \
  do {                                                                                             \
    if (metered) {                                                                                 \
      if (int64_t((cf)->entry_fuel) > fuel) [[unlikely]]                                           \
        goto out_of_fuel;                                                                          \
      fuel -= int64_t((cf)->entry_fuel);                                                           \
    }                                                                                              \
  } while (0)
#define ENTRY_PC(cf) (metered ? (cf)->metered_code.data() + (cf)->metered_entry : (cf)->code.data())
  // After a host call: the guest continues unless the host stopped it or an
  // interrupt came while the host worked (a host call is a check point).
#define DO_CALL(callee, nfp, words)                                                                \
  do {                                                                                             \
    if ((callee)->instance == nullptr) {                                                           \
      host_result = callHost((callee), (nfp), inst, *run);                                         \
      if (host_result.kind() != HostResult::Kind::Ok) [[unlikely]] {                               \
        host_callee = (callee);                                                                    \
        host_frame = (nfp);                                                                        \
        host_call_words = (words);                                                                 \
        goto host_stopped;                                                                         \
      }                                                                                            \
      RELOAD_MEMORY();                                                                             \
      pc += (words);                                                                               \
      CHECK_POINT();                                                                               \
      DISPATCH();                                                                                  \
    }                                                                                              \
    /* Another instance may be parked by another execution, or run by another */                   \
    /* thread: refuse the call. This execution holds it until its run ends. */                     \
    if ((callee)->instance != inst) [[unlikely]] {                                                 \
      if ((callee)->instance->paused_executions.load(std::memory_order_relaxed) != 0)              \
        TRAP(ReentrantCall);                                                                       \
      if (!run->enterInstance((callee)->instance)) TRAP(InstanceBusy);                             \
    }                                                                                              \
    const compile::CompiledFunction *cf_ = (callee)->code;                                         \
    if ((nfp) + uint64_t(cf_->frame_slots) * 8 > stack_end) [[unlikely]]                           \
      TRAP(StackExhausted);                                                                        \
    if (frames_top == frames_end) [[unlikely]] {                                                   \
      if (!growFrames(*run, &frames, &frames_top, &frames_end)) TRAP(StackExhausted);              \
    }                                                                                              \
    PAY_ENTRY(cf_);                                                                                \
    *frames_top++ = Frame{pc + (words), fp, run->cur};                                             \
    fp = (nfp);                                                                                    \
    run->cur = (callee);                                                                           \
    if (run->cur->instance != inst) SWITCH_INSTANCE(run->cur->instance);                           \
    pc = ENTRY_PC(cf_);                                                                            \
    zeroLocals(fp, *cf_);                                                                          \
    /* Function entry check point (the entry block's Fuel comes next). */                          \
    CHECK_POINT();                                                                                 \
    DISPATCH();                                                                                    \
  } while (0)

#if HALTER_COMPUTED_GOTO
  DISPATCH();
#else
dispatch:
  switch (static_cast<IOp>(*pc)) {
#endif

  OPCODE(Unreachable) {
    TRAP(Unreachable);
  }
  OPCODE(Fuel) {
    // Leaves pc here when the block cannot be paid: more fuel and a new run
    // pay it and go on.
    if (int64_t(pc[1]) > fuel) [[unlikely]]
      goto out_of_fuel;
    fuel -= int64_t(pc[1]);
    NEXT(2);
  }
  OPCODE(Copy) {
    store<uint64_t>(SLOT(1), RD(uint64_t, 2));
    NEXT(3);
  }
  OPCODE(Const) {
    store<uint64_t>(SLOT(1), pc[2]);
    NEXT(3);
  }
  OPCODE(Br) {
    JUMP(1);
  }
  OPCODE(BrIf) {
    if (RD(uint32_t, 1) != 0) JUMP(2);
    NEXT(3);
  }
  OPCODE(BrUnless) {
    if (RD(uint32_t, 1) == 0) JUMP(2);
    NEXT(3);
  }
  OPCODE(BrIncNz) {
    uint32_t v = RD(uint32_t, 2) + static_cast<uint32_t>(pc[3]);
    WR(1, v);
    if (v != 0) JUMP(4);
    NEXT(5);
  }
  OPCODE(BrIncZ) {
    uint32_t v = RD(uint32_t, 2) + static_cast<uint32_t>(pc[3]);
    WR(1, v);
    if (v == 0) JUMP(4);
    NEXT(5);
  }
  OPCODE(BrTable) {
    uint64_t i = RD(uint32_t, 1);
    uint64_t n = pc[2];
    if (i > n) i = n;
    JUMP(3 + i);
  }
  OPCODE(Return1) {
    store<uint64_t>(fp, RD(uint64_t, 1));
    goto do_return;
  }
  OPCODE(ReturnN) {
    uint64_t n = pc[1];
    uint8_t *stage = fp + pc[2];
    for (uint64_t i = 0; i < n; ++i) store<uint64_t>(stage + i * 8, RD(uint64_t, 3 + i));
    std::memmove(fp, stage, n * 8);
    goto do_return;
  }
  OPCODE(Return) {
  do_return:
    if (frames_top == frames) goto finished;
    const Frame &f = *--frames_top;
    pc = f.ret_pc;
    fp = f.fp;
    run->cur = f.fn;
    if (run->cur->instance != inst) SWITCH_INSTANCE(run->cur->instance);
    DISPATCH();
  }
  OPCODE(Call) {
    const rt::Function *callee = funcs[pc[1]];
    uint8_t *nfp = fp + pc[2];
    DO_CALL(callee, nfp, 3);
  }
  OPCODE(CallLocal) {
    // Same instance, guest code: no host call or instance switch to consider.
    const rt::Function *callee = funcs[pc[1]];
    uint8_t *nfp = fp + pc[2];
    const compile::CompiledFunction *cf = callee->code;
    if (nfp + uint64_t(cf->frame_slots) * 8 > stack_end) [[unlikely]]
      TRAP(StackExhausted);
    if (frames_top == frames_end) [[unlikely]] {
      if (!growFrames(*run, &frames, &frames_top, &frames_end)) TRAP(StackExhausted);
    }
    PAY_ENTRY(cf);
    *frames_top++ = Frame{pc + 3, fp, run->cur};
    fp = nfp;
    run->cur = callee;
    pc = ENTRY_PC(cf);
    zeroLocals(fp, *cf);
    CHECK_POINT();
    DISPATCH();
  }
  OPCODE(CallIndirect) {
    const rt::Table *table = inst->tables[pc[2]].get();
    uint32_t i = RD(uint32_t, 3);
    if (i >= table->elems_.size()) TRAP(UndefinedElement);
    const rt::Function *callee = static_cast<const rt::Function *>(table->elems_[i]);
    if (callee == nullptr) TRAP(UninitializedElement);
    if (callee->type != inst->types[pc[1]]) TRAP(IndirectCallTypeMismatch);
    uint8_t *nfp = fp + pc[4];
    DO_CALL(callee, nfp, 5);
  }
  OPCODE(Select) {
    uint64_t v = RD(uint32_t, 4) != 0 ? RD(uint64_t, 2) : RD(uint64_t, 3);
    store<uint64_t>(SLOT(1), v);
    NEXT(5);
  }
  OPCODE(Select2) {
    bool c = RD(uint32_t, 4) != 0;
    uint64_t lo = c ? RD(uint64_t, 2) : RD(uint64_t, 3);
    uint64_t hi = c ? load<uint64_t>(SLOT(2) + 8) : load<uint64_t>(SLOT(3) + 8);
    store<uint64_t>(SLOT(1), lo);
    store<uint64_t>(SLOT(1) + 8, hi);
    NEXT(5);
  }
  OPCODE(GlobalGet) {
    const rt::Global *g = inst->globals[pc[2]].get();
    store<uint64_t>(SLOT(1), g->lo_);
    NEXT(3);
  }
  OPCODE(GlobalSet) {
    rt::Global *g = inst->globals[pc[1]].get();
    g->lo_ = RD(uint64_t, 2);
    NEXT(3);
  }
  OPCODE(MemorySize) {
    WR(1, uint32_t(msize / kPageSize));
    NEXT(2);
  }
  OPCODE(MemoryGrow) {
    uint32_t delta = RD(uint32_t, 2);
    CHARGE(delta);
    int64_t r = mem ? mem->grow(delta, &run->memory_cap_hit, run->memory_cap_pages) : -1;
    RELOAD_MEMORY();
    if (msize > run->peak_memory_bytes) run->peak_memory_bytes = msize;
    WR(1, uint32_t(r));
    NEXT(3);
  }
  // Bulk operations are paid in full up front, then work in chunks with an
  // interrupt test after each: a deadline or cancel stops a 4 GiB fill as
  // soon as it stops a loop, leaving a part written (the execution ends),
  // and a loop-free run of many small ones is a check point per operation.
  OPCODE(MemoryFill) {
    uint64_t d = RD(uint32_t, 1);
    uint8_t v = static_cast<uint8_t>(RD(uint32_t, 2));
    uint64_t n = RD(uint32_t, 3);
    CHARGE(n / kFuelBulkBytes);
    if (d + n > msize) TRAP(MemoryOutOfBounds);
    if (!rt::chunkedFill(mbase + d, v, n, rt::kBulkChunkBytes, interrupt)) goto interrupted;
    NEXT(4);
  }
  OPCODE(MemoryCopy) {
    uint64_t d = RD(uint32_t, 1);
    uint64_t s = RD(uint32_t, 2);
    uint64_t n = RD(uint32_t, 3);
    CHARGE(n / kFuelBulkBytes);
    if (d + n > msize || s + n > msize) TRAP(MemoryOutOfBounds);
    if (!rt::chunkedMove(mbase + d, mbase + s, n, rt::kBulkChunkBytes, interrupt)) goto interrupted;
    NEXT(4);
  }
  OPCODE(MemoryInit) {
    std::span<const uint8_t> seg = inst->dataSegment(static_cast<uint32_t>(pc[1]));
    uint64_t d = RD(uint32_t, 2);
    uint64_t s = RD(uint32_t, 3);
    uint64_t n = RD(uint32_t, 4);
    CHARGE(n / kFuelBulkBytes);
    if (s + n > seg.size() || d + n > msize) TRAP(MemoryOutOfBounds);
    if (!rt::chunkedMove(mbase + d, seg.data() + s, n, rt::kBulkChunkBytes, interrupt))
      goto interrupted;
    NEXT(5);
  }
  OPCODE(DataDrop) {
    inst->data_dropped[pc[1]] = true;
    NEXT(2);
  }
  OPCODE(TableGet) {
    const rt::Table *t = inst->tables[pc[2]].get();
    uint32_t i = RD(uint32_t, 3);
    if (i >= t->elems_.size()) TRAP(TableOutOfBounds);
    store<uint64_t>(SLOT(1), reinterpret_cast<uintptr_t>(t->elems_[i]));
    NEXT(4);
  }
  OPCODE(TableSet) {
    rt::Table *t = inst->tables[pc[1]].get();
    uint32_t i = RD(uint32_t, 2);
    if (i >= t->elems_.size()) TRAP(TableOutOfBounds);
    t->elems_[i] = reinterpret_cast<RefPtr>(static_cast<uintptr_t>(RD(uint64_t, 3)));
    NEXT(4);
  }
  OPCODE(TableSize) {
    WR(1, uint32_t(inst->tables[pc[2]]->size()));
    NEXT(3);
  }
  OPCODE(TableGrow) {
    rt::Table *t = inst->tables[pc[2]].get();
    RefPtr init = reinterpret_cast<RefPtr>(static_cast<uintptr_t>(RD(uint64_t, 3)));
    uint32_t n = RD(uint32_t, 4);
    CHARGE(n / kFuelBulkElems);
    int64_t r = t->grow(n, init, &run->table_cap_hit, run->table_cap, interrupt);
    if (r == rt::Table::kInterrupted) goto interrupted;
    WR(1, uint32_t(r));
    NEXT(5);
  }
  OPCODE(TableFill) {
    rt::Table *t = inst->tables[pc[1]].get();
    uint64_t i = RD(uint32_t, 2);
    RefPtr v = reinterpret_cast<RefPtr>(static_cast<uintptr_t>(RD(uint64_t, 3)));
    uint64_t n = RD(uint32_t, 4);
    CHARGE(n / kFuelBulkElems);
    if (i + n > t->elems_.size()) TRAP(TableOutOfBounds);
    if (!rt::chunkedFill(t->elems_.data() + i, v, n, rt::kBulkChunkElems, interrupt))
      goto interrupted;
    NEXT(5);
  }
  OPCODE(TableCopy) {
    rt::Table *dt = inst->tables[pc[1]].get();
    const rt::Table *st = inst->tables[pc[2]].get();
    uint64_t d = RD(uint32_t, 3);
    uint64_t s = RD(uint32_t, 4);
    uint64_t n = RD(uint32_t, 5);
    CHARGE(n / kFuelBulkElems);
    if (d + n > dt->elems_.size() || s + n > st->elems_.size()) TRAP(TableOutOfBounds);
    if (!rt::chunkedMove(dt->elems_.data() + d, st->elems_.data() + s, n, rt::kBulkChunkElems,
                         interrupt))
      goto interrupted;
    NEXT(6);
  }
  OPCODE(TableInit) {
    const std::vector<RefPtr> &seg = inst->elem_segments[pc[1]];
    rt::Table *t = inst->tables[pc[2]].get();
    uint64_t d = RD(uint32_t, 3);
    uint64_t s = RD(uint32_t, 4);
    uint64_t n = RD(uint32_t, 5);
    CHARGE(n / kFuelBulkElems);
    if (s + n > seg.size() || d + n > t->elems_.size()) TRAP(TableOutOfBounds);
    if (!rt::chunkedMove(t->elems_.data() + d, seg.data() + s, n, rt::kBulkChunkElems, interrupt))
      goto interrupted;
    NEXT(6);
  }
  OPCODE(ElemDrop) {
    std::vector<RefPtr>().swap(inst->elem_segments[pc[1]]);
    NEXT(2);
  }
  OPCODE(RefFunc) {
    store<uint64_t>(SLOT(1), reinterpret_cast<uintptr_t>(funcs[pc[2]]));
    NEXT(3);
  }

  // Memory: effective address = u32 address + offset, checked against the size.
#define LOAD(op, T, R)                                                                             \
  OPCODE(Ld##op) {                                                                                 \
    uint64_t ea = uint64_t(RD(uint32_t, 2)) + pc[3];                                               \
    if (ea + sizeof(T) > msize) [[unlikely]]                                                       \
      TRAP(MemoryOutOfBounds);                                                                     \
    WR(1, R(load<T>(mbase + ea)));                                                                 \
    NEXT(4);                                                                                       \
  }                                                                                                \
  OPCODE(LdA##op) {                                                                                \
    uint64_t ea = uint64_t(RD(uint32_t, 2) + static_cast<uint32_t>(pc[3])) + pc[4];                \
    if (ea + sizeof(T) > msize) [[unlikely]]                                                       \
      TRAP(MemoryOutOfBounds);                                                                     \
    WR(1, R(load<T>(mbase + ea)));                                                                 \
    NEXT(5);                                                                                       \
  }                                                                                                \
  OPCODE(LdS##op) {                                                                                \
    uint64_t ea = uint64_t(RD(uint32_t, 2) + RD(uint32_t, 3)) + pc[4];                             \
    if (ea + sizeof(T) > msize) [[unlikely]]                                                       \
      TRAP(MemoryOutOfBounds);                                                                     \
    WR(1, R(load<T>(mbase + ea)));                                                                 \
    NEXT(5);                                                                                       \
  }
  LOAD(I32Load, uint32_t, uint32_t)
  LOAD(I64Load, uint64_t, uint64_t)
  LOAD(F32Load, uint32_t, uint32_t)
  LOAD(F64Load, uint64_t, uint64_t)
  LOAD(I32Load8S, int8_t, uint32_t)
  LOAD(I32Load8U, uint8_t, uint32_t)
  LOAD(I32Load16S, int16_t, uint32_t)
  LOAD(I32Load16U, uint16_t, uint32_t)
  LOAD(I64Load8S, int8_t, uint64_t)
  LOAD(I64Load8U, uint8_t, uint64_t)
  LOAD(I64Load16S, int16_t, uint64_t)
  LOAD(I64Load16U, uint16_t, uint64_t)
  LOAD(I64Load32S, int32_t, uint64_t)
  LOAD(I64Load32U, uint32_t, uint64_t)
#undef LOAD

  // Stores write the low bytes of the value's slot.
#define STORE_FORM(name, ea_expr, value_expr, words)                                               \
  OPCODE(name) {                                                                                   \
    uint64_t ea = (ea_expr);                                                                       \
    if (ea + sizeof(T) > msize) [[unlikely]]                                                       \
      TRAP(MemoryOutOfBounds);                                                                     \
    store<T>(mbase + ea, (value_expr));                                                            \
    NEXT(words);                                                                                   \
  }
#define EA_SLOT (uint64_t(RD(uint32_t, 1)) + pc[3])
#define EA_ADD (uint64_t(RD(uint32_t, 1) + static_cast<uint32_t>(pc[2])) + pc[4])
#define STORE(op, TT)                                                                              \
  {                                                                                                \
    using T = TT;                                                                                  \
    STORE_FORM(St##op, EA_SLOT, RD(T, 2), 4)                                                       \
    STORE_FORM(StI##op, EA_SLOT, static_cast<T>(pc[2]), 4)                                         \
    STORE_FORM(StA##op, EA_ADD, RD(T, 3), 5)                                                       \
    STORE_FORM(StAI##op, EA_ADD, static_cast<T>(pc[3]), 5)                                         \
  }
  STORE(I32Store, uint32_t)
  STORE(I64Store, uint64_t)
  STORE(F32Store, uint32_t)
  STORE(F64Store, uint64_t)
  STORE(I32Store8, uint8_t)
  STORE(I32Store16, uint16_t)
  STORE(I64Store8, uint8_t)
  STORE(I64Store16, uint16_t)
  STORE(I64Store32, uint32_t)
#undef STORE
#undef STORE_FORM
#undef EA_SLOT
#undef EA_ADD

#define UNARY(op, T, R, expr)                                                                      \
  OPCODE(Un##op) {                                                                                 \
    T x = RD(T, 2);                                                                                \
    WR(1, R(expr));                                                                                \
    NEXT(3);                                                                                       \
  }
  UNARY(I32Eqz, uint32_t, uint32_t, x == 0)
  UNARY(I64Eqz, uint64_t, uint32_t, x == 0)
  UNARY(I32Clz, uint32_t, uint32_t, std::countl_zero(x))
  UNARY(I32Ctz, uint32_t, uint32_t, std::countr_zero(x))
  UNARY(I32Popcnt, uint32_t, uint32_t, std::popcount(x))
  UNARY(I64Clz, uint64_t, uint64_t, std::countl_zero(x))
  UNARY(I64Ctz, uint64_t, uint64_t, std::countr_zero(x))
  UNARY(I64Popcnt, uint64_t, uint64_t, std::popcount(x))
  UNARY(F32Abs, uint32_t, uint32_t, f32Abs(x))
  UNARY(F32Neg, uint32_t, uint32_t, f32Neg(x))
  UNARY(F32Ceil, float, float, wasmCeil(x))
  UNARY(F32Floor, float, float, wasmFloor(x))
  UNARY(F32Trunc, float, float, wasmTrunc(x))
  UNARY(F32Nearest, float, float, wasmNearest(x))
  UNARY(F32Sqrt, float, float, std::sqrt(x))
  UNARY(F64Abs, uint64_t, uint64_t, f64Abs(x))
  UNARY(F64Neg, uint64_t, uint64_t, f64Neg(x))
  UNARY(F64Ceil, double, double, wasmCeil(x))
  UNARY(F64Floor, double, double, wasmFloor(x))
  UNARY(F64Trunc, double, double, wasmTrunc(x))
  UNARY(F64Nearest, double, double, wasmNearest(x))
  UNARY(F64Sqrt, double, double, std::sqrt(x))
  UNARY(I32WrapI64, uint64_t, uint32_t, x)
  UNARY(I64ExtendI32S, int32_t, uint64_t, int64_t(x))
  UNARY(I64ExtendI32U, uint32_t, uint64_t, x)
  UNARY(F32ConvertI32S, int32_t, float, float(x))
  UNARY(F32ConvertI32U, uint32_t, float, float(x))
  UNARY(F32ConvertI64S, int64_t, float, float(x))
  UNARY(F32ConvertI64U, uint64_t, float, float(x))
  UNARY(F32DemoteF64, double, float, float(x))
  UNARY(F64ConvertI32S, int32_t, double, double(x))
  UNARY(F64ConvertI32U, uint32_t, double, double(x))
  UNARY(F64ConvertI64S, int64_t, double, double(x))
  UNARY(F64ConvertI64U, uint64_t, double, double(x))
  UNARY(F64PromoteF32, float, double, double(x))
  UNARY(I32Extend8S, uint32_t, uint32_t, int32_t(int8_t(x)))
  UNARY(I32Extend16S, uint32_t, uint32_t, int32_t(int16_t(x)))
  UNARY(I64Extend8S, uint64_t, uint64_t, int64_t(int8_t(x)))
  UNARY(I64Extend16S, uint64_t, uint64_t, int64_t(int16_t(x)))
  UNARY(I64Extend32S, uint64_t, uint64_t, int64_t(int32_t(x)))
  UNARY(I32TruncSatF32S, float, uint32_t, truncSat<int32_t>(x))
  UNARY(I32TruncSatF32U, float, uint32_t, truncSat<uint32_t>(x))
  UNARY(I32TruncSatF64S, double, uint32_t, truncSat<int32_t>(x))
  UNARY(I32TruncSatF64U, double, uint32_t, truncSat<uint32_t>(x))
  UNARY(I64TruncSatF32S, float, uint64_t, truncSat<int64_t>(x))
  UNARY(I64TruncSatF32U, float, uint64_t, truncSat<uint64_t>(x))
  UNARY(I64TruncSatF64S, double, uint64_t, truncSat<int64_t>(x))
  UNARY(I64TruncSatF64U, double, uint64_t, truncSat<uint64_t>(x))
#undef UNARY

#define TRUNC(op, F, I, R)                                                                         \
  OPCODE(Un##op) {                                                                                 \
    F x = RD(F, 2);                                                                                \
    if (x != x) TRAP(InvalidConversion);                                                           \
    if (!truncInRange<I>(double(x))) TRAP(IntegerOverflow);                                        \
    WR(1, R(I(x)));                                                                                \
    NEXT(3);                                                                                       \
  }
  TRUNC(I32TruncF32S, float, int32_t, uint32_t)
  TRUNC(I32TruncF32U, float, uint32_t, uint32_t)
  TRUNC(I32TruncF64S, double, int32_t, uint32_t)
  TRUNC(I32TruncF64U, double, uint32_t, uint32_t)
  TRUNC(I64TruncF32S, float, int64_t, uint64_t)
  TRUNC(I64TruncF32U, float, uint64_t, uint64_t)
  TRUNC(I64TruncF64S, double, int64_t, uint64_t)
  TRUNC(I64TruncF64U, double, uint64_t, uint64_t)
#undef TRUNC

  // Binary ops come in two forms: both operands in slots, or an immediate b.
#define BINARY(op, T, R, expr)                                                                     \
  OPCODE(Bin##op) {                                                                                \
    T a = RD(T, 2);                                                                                \
    T b = RD(T, 3);                                                                                \
    WR(1, R(expr));                                                                                \
    NEXT(4);                                                                                       \
  }                                                                                                \
  OPCODE(Imm##op) {                                                                                \
    T a = RD(T, 2);                                                                                \
    T b = fromImm<T>(pc[3]);                                                                       \
    WR(1, R(expr));                                                                                \
    NEXT(4);                                                                                       \
  }
  BINARY(I32Eq, uint32_t, uint32_t, a == b)
  BINARY(I32Ne, uint32_t, uint32_t, a != b)
  BINARY(I32LtS, int32_t, uint32_t, a < b)
  BINARY(I32LtU, uint32_t, uint32_t, a < b)
  BINARY(I32GtS, int32_t, uint32_t, a > b)
  BINARY(I32GtU, uint32_t, uint32_t, a > b)
  BINARY(I32LeS, int32_t, uint32_t, a <= b)
  BINARY(I32LeU, uint32_t, uint32_t, a <= b)
  BINARY(I32GeS, int32_t, uint32_t, a >= b)
  BINARY(I32GeU, uint32_t, uint32_t, a >= b)
  BINARY(I64Eq, uint64_t, uint32_t, a == b)
  BINARY(I64Ne, uint64_t, uint32_t, a != b)
  BINARY(I64LtS, int64_t, uint32_t, a < b)
  BINARY(I64LtU, uint64_t, uint32_t, a < b)
  BINARY(I64GtS, int64_t, uint32_t, a > b)
  BINARY(I64GtU, uint64_t, uint32_t, a > b)
  BINARY(I64LeS, int64_t, uint32_t, a <= b)
  BINARY(I64LeU, uint64_t, uint32_t, a <= b)
  BINARY(I64GeS, int64_t, uint32_t, a >= b)
  BINARY(I64GeU, uint64_t, uint32_t, a >= b)
  BINARY(F32Eq, float, uint32_t, a == b)
  BINARY(F32Ne, float, uint32_t, a != b)
  BINARY(F32Lt, float, uint32_t, a < b)
  BINARY(F32Gt, float, uint32_t, a > b)
  BINARY(F32Le, float, uint32_t, a <= b)
  BINARY(F32Ge, float, uint32_t, a >= b)
  BINARY(F64Eq, double, uint32_t, a == b)
  BINARY(F64Ne, double, uint32_t, a != b)
  BINARY(F64Lt, double, uint32_t, a < b)
  BINARY(F64Gt, double, uint32_t, a > b)
  BINARY(F64Le, double, uint32_t, a <= b)
  BINARY(F64Ge, double, uint32_t, a >= b)
  BINARY(I32Add, uint32_t, uint32_t, a + b)
  BINARY(I32Sub, uint32_t, uint32_t, a - b)
  BINARY(I32Mul, uint32_t, uint32_t, a * b)
  BINARY(I32And, uint32_t, uint32_t, a & b)
  BINARY(I32Or, uint32_t, uint32_t, a | b)
  BINARY(I32Xor, uint32_t, uint32_t, a ^ b)
  BINARY(I32Shl, uint32_t, uint32_t, a << (b & 31))
  BINARY(I32ShrS, uint32_t, uint32_t, int32_t(a) >> (b & 31))
  BINARY(I32ShrU, uint32_t, uint32_t, a >> (b & 31))
  BINARY(I32Rotl, uint32_t, uint32_t, std::rotl(a, int(b & 31)))
  BINARY(I32Rotr, uint32_t, uint32_t, std::rotr(a, int(b & 31)))
  BINARY(I64Add, uint64_t, uint64_t, a + b)
  BINARY(I64Sub, uint64_t, uint64_t, a - b)
  BINARY(I64Mul, uint64_t, uint64_t, a * b)
  BINARY(I64And, uint64_t, uint64_t, a & b)
  BINARY(I64Or, uint64_t, uint64_t, a | b)
  BINARY(I64Xor, uint64_t, uint64_t, a ^ b)
  BINARY(I64Shl, uint64_t, uint64_t, a << (b & 63))
  BINARY(I64ShrS, uint64_t, uint64_t, int64_t(a) >> (b & 63))
  BINARY(I64ShrU, uint64_t, uint64_t, a >> (b & 63))
  BINARY(I64Rotl, uint64_t, uint64_t, std::rotl(a, int(b & 63)))
  BINARY(I64Rotr, uint64_t, uint64_t, std::rotr(a, int(b & 63)))
  BINARY(F32Add, float, float, a + b)
  BINARY(F32Sub, float, float, a - b)
  BINARY(F32Mul, float, float, a *b)
  BINARY(F32Div, float, float, a / b)
  BINARY(F32Min, float, float, wasmMin(a, b))
  BINARY(F32Max, float, float, wasmMax(a, b))
  BINARY(F32Copysign, uint32_t, uint32_t, f32Copysign(a, b))
  BINARY(F64Add, double, double, a + b)
  BINARY(F64Sub, double, double, a - b)
  BINARY(F64Mul, double, double, a *b)
  BINARY(F64Div, double, double, a / b)
  BINARY(F64Min, double, double, wasmMin(a, b))
  BINARY(F64Max, double, double, wasmMax(a, b))
  BINARY(F64Copysign, uint64_t, uint64_t, f64Copysign(a, b))
#undef BINARY

  // Division and remainder: the checks run before the operation.
#define DIVISION(op, T, R, checks, expr)                                                           \
  OPCODE(Bin##op) {                                                                                \
    T a = RD(T, 2);                                                                                \
    T b = RD(T, 3);                                                                                \
    checks;                                                                                        \
    WR(1, R(expr));                                                                                \
    NEXT(4);                                                                                       \
  }                                                                                                \
  OPCODE(Imm##op) {                                                                                \
    T a = RD(T, 2);                                                                                \
    T b = fromImm<T>(pc[3]);                                                                       \
    checks;                                                                                        \
    WR(1, R(expr));                                                                                \
    NEXT(4);                                                                                       \
  }
  DIVISION(I32DivS, int32_t, uint32_t, if (b == 0) TRAP(IntegerDivideByZero);
           if (a == INT32_MIN && b == -1) TRAP(IntegerOverflow), a / b)
  DIVISION(I32DivU, uint32_t, uint32_t, if (b == 0) TRAP(IntegerDivideByZero), a / b)
  DIVISION(I32RemS, int32_t, uint32_t, if (b == 0) TRAP(IntegerDivideByZero), b == -1 ? 0 : a % b)
  DIVISION(I32RemU, uint32_t, uint32_t, if (b == 0) TRAP(IntegerDivideByZero), a % b)
  DIVISION(I64DivS, int64_t, uint64_t, if (b == 0) TRAP(IntegerDivideByZero);
           if (a == INT64_MIN && b == -1) TRAP(IntegerOverflow), a / b)
  DIVISION(I64DivU, uint64_t, uint64_t, if (b == 0) TRAP(IntegerDivideByZero), a / b)
  DIVISION(I64RemS, int64_t, uint64_t, if (b == 0) TRAP(IntegerDivideByZero), b == -1 ? 0 : a % b)
  DIVISION(I64RemU, uint64_t, uint64_t, if (b == 0) TRAP(IntegerDivideByZero), a % b)
#undef DIVISION

  // Fused compare + branch: (a, b or imm, off).
#define BRCMP(op, T, cmp)                                                                          \
  OPCODE(Br##op) {                                                                                 \
    T a = RD(T, 1);                                                                                \
    T b = RD(T, 2);                                                                                \
    if (a cmp b) JUMP(3);                                                                          \
    NEXT(4);                                                                                       \
  }                                                                                                \
  OPCODE(BrImm##op) {                                                                              \
    T a = RD(T, 1);                                                                                \
    T b = fromImm<T>(pc[2]);                                                                       \
    if (a cmp b) JUMP(3);                                                                          \
    NEXT(4);                                                                                       \
  }
  BRCMP(I32Eq, uint32_t, ==)
  BRCMP(I32Ne, uint32_t, !=)
  BRCMP(I32LtS, int32_t, <)
  BRCMP(I32LtU, uint32_t, <)
  BRCMP(I32GtS, int32_t, >)
  BRCMP(I32GtU, uint32_t, >)
  BRCMP(I32LeS, int32_t, <=)
  BRCMP(I32LeU, uint32_t, <=)
  BRCMP(I32GeS, int32_t, >=)
  BRCMP(I32GeU, uint32_t, >=)
  BRCMP(I64Eq, uint64_t, ==)
  BRCMP(I64Ne, uint64_t, !=)
  BRCMP(I64LtS, int64_t, <)
  BRCMP(I64LtU, uint64_t, <)
  BRCMP(I64GtS, int64_t, >)
  BRCMP(I64GtU, uint64_t, >)
  BRCMP(I64LeS, int64_t, <=)
  BRCMP(I64LeU, uint64_t, <=)
  BRCMP(I64GeS, int64_t, >=)
  BRCMP(I64GeU, uint64_t, >=)
#undef BRCMP

  // Binary op with a fused load as b: (dst, a, addr, offset).
#define BINLOAD(op, T, R, expr)                                                                    \
  OPCODE(BinLd##op) {                                                                              \
    uint64_t ea = uint64_t(RD(uint32_t, 3)) + pc[4];                                               \
    if (ea + sizeof(T) > msize) [[unlikely]]                                                       \
      TRAP(MemoryOutOfBounds);                                                                     \
    T a = RD(T, 2);                                                                                \
    T b = load<T>(mbase + ea);                                                                     \
    WR(1, R(expr));                                                                                \
    NEXT(5);                                                                                       \
  }
  BINLOAD(I32Add, uint32_t, uint32_t, a + b)
  BINLOAD(I32Sub, uint32_t, uint32_t, a - b)
  BINLOAD(I32Mul, uint32_t, uint32_t, a * b)
  BINLOAD(I32And, uint32_t, uint32_t, a & b)
  BINLOAD(I32Or, uint32_t, uint32_t, a | b)
  BINLOAD(I32Xor, uint32_t, uint32_t, a ^ b)
  BINLOAD(I64Add, uint64_t, uint64_t, a + b)
  BINLOAD(I64Sub, uint64_t, uint64_t, a - b)
  BINLOAD(I64Mul, uint64_t, uint64_t, a * b)
  BINLOAD(I64Xor, uint64_t, uint64_t, a ^ b)
  BINLOAD(F32Add, float, float, a + b)
  BINLOAD(F32Sub, float, float, a - b)
  BINLOAD(F32Mul, float, float, a *b)
  BINLOAD(F64Add, double, double, a + b)
  BINLOAD(F64Sub, double, double, a - b)
  BINLOAD(F64Mul, double, double, a *b)
#undef BINLOAD

  // Increment + compare + branch: (dst, a, b, c, off); dst = a + b, branch
  // when dst <cmp> c. c is read after dst is written.
#define BRADD_FORM(name, T, cmp, b_expr, c_expr)                                                   \
  OPCODE(name) {                                                                                   \
    uint32_t sum = RD(uint32_t, 2) + (b_expr);                                                     \
    WR(1, sum);                                                                                    \
    if (T(sum) cmp T(c_expr)) JUMP(5);                                                             \
    NEXT(6);                                                                                       \
  }
#define BRADD(op, T, cmp)                                                                          \
  BRADD_FORM(BrAddSS##op, T, cmp, RD(uint32_t, 3), RD(uint32_t, 4))                                \
  BRADD_FORM(BrAddSI##op, T, cmp, RD(uint32_t, 3), static_cast<uint32_t>(pc[4]))                   \
  BRADD_FORM(BrAddIS##op, T, cmp, static_cast<uint32_t>(pc[3]), RD(uint32_t, 4))                   \
  BRADD_FORM(BrAddII##op, T, cmp, static_cast<uint32_t>(pc[3]), static_cast<uint32_t>(pc[4]))
  BRADD(I32Eq, uint32_t, ==)
  BRADD(I32Ne, uint32_t, !=)
  BRADD(I32LtS, int32_t, <)
  BRADD(I32LtU, uint32_t, <)
  BRADD(I32GtS, int32_t, >)
  BRADD(I32GtU, uint32_t, >)
  BRADD(I32LeS, int32_t, <=)
  BRADD(I32LeU, uint32_t, <=)
  BRADD(I32GeS, int32_t, >=)
  BRADD(I32GeU, uint32_t, >=)
#undef BRADD
#undef BRADD_FORM

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
#undef PAY_ENTRY
#undef ENTRY_PC
#undef JUMP
#undef RELOAD_MEMORY
#undef SWITCH_INSTANCE
#undef DO_CALL
}

} // namespace

void threadCode(compile::CompiledFunction &fn) {
#if HALTER_COMPUTED_GOTO
  // Thread-safe one-time publication of the handler table.
  static const bool published = (executeFrom(nullptr), true);
  (void)published;
  for (std::vector<uint64_t> *code : {&fn.code, &fn.metered_code}) {
    for (size_t i = 0; i < code->size();) {
      size_t words = compile::instrWords(&(*code)[i]);
      (*code)[i] = reinterpret_cast<uintptr_t>(g_handlers[(*code)[i]]);
      i += words;
    }
  }
#else
  (void)fn;
#endif
}

void execute(Execution &ex) {
  executeFrom(&ex);
}

} // namespace halter::exec
