// The execution part of a snapshot of kind 2 (runtime/snapshot.cpp has the
// header, the checksum and the instance part, which comes first). All
// integers little-endian.
//
//   u8  state (1: suspended in a host call, 2: stopped out of fuel)
//   u8  metered (0 or 1)
//   u64 fuel left, u64 fuel given (both 0 when unmetered)
//   u64 peak memory bytes, u8 memory cap hit, u8 table cap hit
//   u32 frames (at least 1), then per frame, outermost first: u32 function
//       index, u32 code index (a caller: where its call returns; the
//       running function: where it continues)
//   suspended: u32 the import's function index, u64 token, u32 arguments,
//       then per argument u64 low and u64 high bits
//   u64 stack slots, then each slot's u64 (references: 0 null, else the
//       function index + 1; dead slots 0)
//   u32 length and bytes of the instance's last host error message
//   u32 length and bytes of the embedder's host state (SnapshotOptions::
//       host_state, e.g. WasiContext::saveState; opaque here)
//
// Nothing in it is an address. A program point is a code index into the
// function's lowering, which is deterministic per module and form, and it
// must be a stop point of that lowering (compile::StopPoint). The type of
// every slot is derived from the code, never read from the snapshot: a
// forged slot can hold any number, but a reference slot holds only a
// checked function index.
#include "exec/execution_snapshot.h"

#include "compile/compiled_module.h"
#include "compile/lower.h"
#include "exec/lazy_lowering.h"
#include "runtime/snapshot_codec.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace halter::exec {

namespace {

constexpr uint8_t kStateSuspended = 1;
constexpr uint8_t kStateOutOfFuel = 2;
// The instance's last host error is a message; this bounds a forged one.
constexpr uint32_t kMaxErrorBytes = 1u << 20;

enum class SlotKind : uint8_t { Dead, Num, FuncRef, ExternRef };

Error refuse(const std::string &why) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset, "cannot snapshot the execution: " + why);
}

Error internal(const std::string &what) {
  return makeError(ErrorCode::Internal, kNoOffset, "execution snapshot: " + what);
}

uint32_t slotsOf(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}

// A function's code relowered with its stop points, once per snapshot or
// restore. The running code is the published lowering of the same form:
// the same code (lowering is deterministic), which its length confirms.
struct Lowering {
  compile::LoweredCode code;
  std::vector<compile::StopPoint> stops;
  const uint64_t *published = nullptr; // the threaded code calls run
};

class Lowerings {
public:
  explicit Lowerings(compile::Form form) : form_(form) {}
  Result<const Lowering *> get(const rt::Function &fn) {
    auto it = cache_.find(fn.code);
    if (it != cache_.end()) return &it->second;
    const compile::CompiledFunction &cf = *fn.code;
    Lowering l;
    HALTER_ASSIGN_OR_RETURN(
        l.code, compile::lowerFunction(cf.module->ir, cf.defined_index, form_, &l.stops));
    if (lowerOnCall(cf, form_) == nullptr) return internal("a function could not be lowered");
    const compile::LoweredCode &running = *cf.lowered(form_);
    if (running.code.size() != l.code.code.size())
      return internal("a function's lowering differs from its running code");
    l.published = running.code.data();
    return &cache_.emplace(fn.code, std::move(l)).first->second;
  }

private:
  compile::Form form_;
  std::map<const compile::CompiledFunction *, Lowering> cache_;
};

bool isCall(compile::IOp op) {
  return op == compile::IOp::Call || op == compile::IOp::CallLocal ||
         op == compile::IOp::CallIndirect;
}

// The stop point that starts at code index `at`.
const compile::StopPoint *stopAt(const Lowering &l, uint64_t at) {
  auto it = std::lower_bound(l.stops.begin(), l.stops.end(), at,
                             [](const compile::StopPoint &p, uint64_t x) { return p.at < x; });
  return it != l.stops.end() && it->at == at ? &*it : nullptr;
}

// The call whose next instruction is at `at`.
const compile::StopPoint *callReturningTo(const Lowering &l, uint64_t at) {
  for (compile::IOp op : {compile::IOp::Call, compile::IOp::CallIndirect}) {
    const uint64_t words = compile::kIOpWords[size_t(op)];
    if (at < words) continue;
    const compile::StopPoint *p = stopAt(l, at - words);
    if (p != nullptr && isCall(p->op) && p->words == words) return p;
  }
  return nullptr;
}

// A call's operands: the callee (function index, or type index for
// call_indirect) and the byte offset of the callee's frame.
uint64_t callTarget(const Lowering &l, const compile::StopPoint &call) {
  return l.code.code[call.at + 1];
}
uint64_t callFrame(const Lowering &l, const compile::StopPoint &call) {
  return l.code.code[call.at + (call.op == compile::IOp::CallIndirect ? 4 : 2)];
}

// Whether `call` in `caller`'s code can call `callee`.
bool callsThat(const rt::Instance &inst, const Lowering &l, const compile::StopPoint &call,
               const rt::Function *callee) {
  const uint64_t target = callTarget(l, call);
  if (call.op == compile::IOp::CallIndirect)
    return target < inst.types.size() && callee->type == inst.types[target];
  return target < inst.funcs.size() && inst.funcs[target] == callee;
}

struct FrameLayout {
  const rt::Function *fn = nullptr;
  const Lowering *lowering = nullptr;
  uint64_t fp = 0; // byte offset from the entry frame
};

// Where every frame of an execution lies on the stack and what each slot
// holds, from the frames' functions and program points alone.
struct StackLayout {
  std::vector<FrameLayout> frames;
  std::vector<SlotKind> kinds; // per slot, from the entry frame to the top
  uint64_t pending_frame = 0;  // suspended: the host call's frame (byte offset)
  uint64_t call_at = 0;        // suspended: the code index of that call
};

class LayoutBuilder {
public:
  LayoutBuilder(const rt::Instance &inst, Lowerings &lowerings)
      : inst_(inst), lowerings_(lowerings) {}

  // `points`: outermost first. `pending`: the import a suspended execution
  // called (ignored otherwise).
  Result<StackLayout> build(const std::vector<ExecutionImage::FramePoint> &points, bool suspended,
                            uint32_t pending) {
    StackLayout out;
    uint64_t fp = 0, end = 0;
    for (size_t k = 0; k < points.size(); ++k) {
      // Named only for an error: a deep stack has many frames.
      auto where = [k] { return "frame " + std::to_string(k); };
      HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, ownFunction(points[k].func, k));
      HALTER_ASSIGN_OR_RETURN(const Lowering *l, lowerings_.get(*fn));
      const uint64_t frame_end = fp + uint64_t(l->code.frame_slots) * 8;
      end = std::max(end, frame_end);
      out.frames.push_back({fn, l, fp});
      markLocals(*fn, fp);
      const bool innermost = k + 1 == points.size();
      if (innermost && !suspended) {
        const compile::StopPoint *stop = stopAt(*l, points[k].at);
        if (stop == nullptr)
          return rt::invalidSnapshot(where() + ": code index " + std::to_string(points[k].at) +
                                     " is not a place where a run stops");
        for (auto [slot, type] : stop->temps) mark(fp + slot, type);
        break;
      }
      const compile::StopPoint *call = callReturningTo(*l, points[k].at);
      if (call == nullptr)
        return rt::invalidSnapshot(where() + ": code index " + std::to_string(points[k].at) +
                                   " does not follow a call");
      const uint64_t callee_fp = fp + callFrame(*l, *call);
      // The call's arguments became the callee's frame: only the values
      // below them are the caller's.
      for (auto [slot, type] : call->temps)
        if (slot < callFrame(*l, *call)) mark(fp + slot, type);
      if (innermost) {
        HALTER_ASSIGN_OR_RETURN(const rt::Function *host, hostImport(pending));
        if (!callsThat(inst_, *l, *call, host))
          return rt::invalidSnapshot("the pending call: function " + std::to_string(pending) +
                                     " is not what the call at code index " +
                                     std::to_string(call->at) + " calls");
        const FuncType &t = *host->type;
        uint64_t words = 0, results = 0;
        for (ValType v : t.params) words += slotsOf(v);
        for (ValType v : t.results) results += slotsOf(v);
        if (callee_fp + std::max(words, results) * 8 > frame_end)
          return internal("a host call's frame lies outside its caller's");
        out.pending_frame = callee_fp;
        out.call_at = call->at;
        break;
      }
      HALTER_ASSIGN_OR_RETURN(const rt::Function *callee, ownFunction(points[k + 1].func, k + 1));
      if (!callsThat(inst_, *l, *call, callee))
        return rt::invalidSnapshot(
            "frame " + std::to_string(k + 1) + ": function " + std::to_string(points[k + 1].func) +
            " is not what the call at code index " + std::to_string(call->at) + " of frame " +
            std::to_string(k) + " calls");
      fp = callee_fp;
    }
    kinds_.resize(end / 8, SlotKind::Dead);
    out.kinds = std::move(kinds_);
    return out;
  }

private:
  Result<const rt::Function *> ownFunction(uint32_t index, size_t frame) const {
    const auto where = [frame] { return "frame " + std::to_string(frame); };
    if (index >= inst_.funcs.size())
      return rt::invalidSnapshot(where() + ": function index " + std::to_string(index) +
                                 " is outside the module's " + std::to_string(inst_.funcs.size()) +
                                 " functions");
    const rt::Function *fn = inst_.funcs[index];
    if (fn->isHost() || fn->instance != &inst_)
      return rt::invalidSnapshot(where() + ": function " + std::to_string(index) +
                                 " is not one the module defines");
    return fn;
  }
  Result<const rt::Function *> hostImport(uint32_t index) const {
    if (index >= inst_.funcs.size() || !inst_.funcs[index]->isHost())
      return rt::invalidSnapshot("the pending call: function " + std::to_string(index) +
                                 " is not an import linked to a host function");
    return inst_.funcs[index];
  }
  void mark(uint64_t byte, ValType t) {
    const uint64_t slot = byte / 8;
    const uint32_t n = slotsOf(t);
    if (kinds_.size() < slot + n) kinds_.resize(slot + n, SlotKind::Dead);
    SlotKind k = t == ValType::FuncRef     ? SlotKind::FuncRef
                 : t == ValType::ExternRef ? SlotKind::ExternRef
                                           : SlotKind::Num;
    for (uint32_t i = 0; i < n; ++i) kinds_[slot + i] = k;
  }
  void markLocals(const rt::Function &fn, uint64_t fp) {
    uint64_t at = fp;
    for (ValType t : fn.type->params) {
      mark(at, t);
      at += slotsOf(t) * 8;
    }
    const ir::Module &m = fn.code->module->ir;
    for (const ir::LocalGroup &g : m.codes[fn.code->defined_index].locals) {
      for (uint32_t i = 0; i < g.count; ++i) {
        mark(at, g.type);
        at += slotsOf(g.type) * 8;
      }
    }
  }

  const rt::Instance &inst_;
  Lowerings &lowerings_;
  std::vector<SlotKind> kinds_;
};

} // namespace

// Reads and sets Execution's private state (execution.h befriends it).
struct ExecutionSnapshotAccess {
  static Result<std::vector<uint8_t>> write(const Execution &ex, bool compress,
                                            std::span<const uint8_t> host_state);
  static Result<void> restore(Execution &ex, rt::Instance &inst, const ExecutionImage &image,
                              const Limits &limits, const CancelToken &cancel);
};

Result<std::vector<uint8_t>> ExecutionSnapshotAccess::write(const Execution &ex, bool compress,
                                                            std::span<const uint8_t> host_state) {
  using State = Execution::State;
  if (host_state.size() > kMaxHostStateBytes)
    return refuse("its host state is " + std::to_string(host_state.size()) + " bytes, above the " +
                  std::to_string(kMaxHostStateBytes) + " allowed");
  if (ex.state_ == State::Finished) return refuse("it has finished");
  if (ex.state_ == State::Ready)
    return refuse("it has not run yet (snapshot the instance instead)");
  const bool suspended = ex.state_ == State::Suspended;
  if (!suspended && ex.out.kind != OutcomeKind::OutOfFuel)
    return refuse("its suspended host call was answered and has not run yet; snapshot before "
                  "resume() or after the next run()");
  if (ex.entry->isHost()) return refuse("it runs a host function, not guest code");
  rt::Instance &inst = *ex.entry->instance;
  if (inst.module == nullptr) return internal("no module");

  const compile::Form form = compile::formFor(ex.metered);
  const rt::FunctionCodes codes(inst);
  auto pointOf = [&](const rt::Function *fn, const uint64_t *pc,
                     size_t k) -> Result<ExecutionImage::FramePoint> {
    if (fn->instance != &inst)
      return refuse("frame " + std::to_string(k) +
                    " runs code of another instance (called through an import); only an "
                    "execution within one instance can be saved");
    std::optional<uint64_t> code = codes.encode(fn);
    const compile::LoweredCode *l = fn->code->lowered(form);
    if (!code || l == nullptr || pc < l->code.data() || pc > l->code.data() + l->code.size())
      return internal("a frame's function or program point is unknown");
    return ExecutionImage::FramePoint{uint32_t(*code - 1), uint32_t(pc - l->code.data())};
  };
  std::vector<ExecutionImage::FramePoint> points;
  const Frame *frames = ex.stack->frames.data();
  for (size_t k = 0; k < ex.depth; ++k) {
    HALTER_ASSIGN_OR_RETURN(ExecutionImage::FramePoint p,
                            pointOf(frames[k].fn, frames[k].ret_pc, k));
    points.push_back(p);
  }
  HALTER_ASSIGN_OR_RETURN(ExecutionImage::FramePoint last, pointOf(ex.cur, ex.pc, ex.depth));
  points.push_back(last);

  uint32_t pending = 0;
  if (suspended) {
    std::optional<uint64_t> code = codes.encode(ex.pending_fn);
    if (!code)
      return refuse("the pending call is to a host function that is not one of the module's "
                    "imports");
    pending = uint32_t(*code - 1);
  }
  Lowerings lowerings(form);
  HALTER_ASSIGN_OR_RETURN(StackLayout layout,
                          LayoutBuilder(inst, lowerings).build(points, suspended, pending));
  // The layout is derived from the code alone; it must be where the
  // interpreter put the frames.
  for (size_t k = 0; k < layout.frames.size(); ++k) {
    const uint8_t *fp = k < ex.depth ? frames[k].fp : ex.fp;
    if (fp != ex.base + layout.frames[k].fp) return internal("the frame layout differs");
  }
  if (suspended && ex.pending_frame != ex.base + layout.pending_frame)
    return internal("the host call's frame differs");

  rt::SnapshotWriter w;
  HALTER_TRY(rt::writeInstanceBody(inst, w));
  w.u8(suspended ? kStateSuspended : kStateOutOfFuel);
  w.u8(ex.metered ? 1 : 0);
  w.u64(ex.metered ? uint64_t(ex.fuel) : 0);
  w.u64(ex.metered ? ex.fuel_given_ : 0);
  w.u64(ex.peak_memory_bytes);
  w.u8(ex.memory_cap_hit ? 1 : 0);
  w.u8(ex.table_cap_hit ? 1 : 0);
  w.u32(uint32_t(points.size()));
  for (const ExecutionImage::FramePoint &p : points) {
    w.u32(p.func);
    w.u32(p.at);
  }
  if (suspended) {
    w.u32(pending);
    w.u64(ex.out.pending.token);
    const std::vector<Value> &args = ex.out.pending.args;
    w.u32(uint32_t(args.size()));
    for (size_t i = 0; i < args.size(); ++i) {
      if (isRefType(args[i].type()) && args[i].asRef() != nullptr)
        return refuse("argument " + std::to_string(i + 1) +
                      " of the pending call is a non-null reference");
      w.u64(args[i].lowBits());
      w.u64(args[i].highBits());
    }
  }
  w.u64(layout.kinds.size());
  for (size_t i = 0; i < layout.kinds.size(); ++i) {
    uint64_t v;
    std::memcpy(&v, ex.base + i * 8, 8);
    switch (layout.kinds[i]) {
    case SlotKind::Dead:
      v = 0;
      break;
    case SlotKind::Num:
      break;
    case SlotKind::FuncRef: {
      std::optional<uint64_t> code = codes.encode(reinterpret_cast<RefPtr>(uintptr_t(v)));
      if (!code)
        return refuse("stack slot " + std::to_string(i) +
                      " holds a function of another instance, which this module's function "
                      "index space cannot name");
      v = *code;
      break;
    }
    case SlotKind::ExternRef:
      if (v != 0)
        return refuse("stack slot " + std::to_string(i) +
                      " holds an externref (a host pointer has no meaning in another process)");
      break;
    }
    w.u64(v);
  }
  w.u32(uint32_t(inst.last_host_error.size()));
  w.raw(inst.last_host_error.data(), inst.last_host_error.size());
  w.u32(uint32_t(host_state.size()));
  w.raw(host_state.data(), host_state.size());
  return rt::sealSnapshot(rt::kSnapshotKindExecution, inst.module->content_hash, w.bytes(),
                          compress);
}

Result<std::vector<uint8_t>> writeExecutionSnapshot(const Execution &ex, bool compress,
                                                    std::span<const uint8_t> host_state) {
  return ExecutionSnapshotAccess::write(ex, compress, host_state);
}

Result<std::shared_ptr<const ExecutionImage>>
readExecutionSnapshot(const compile::CompiledModule &cm, std::span<const uint8_t> bytes,
                      const Limits &limits) {
  const uint64_t stack_bytes = limits.max_stack_bytes & ~uint64_t{7};
  const uint64_t extra = stack_bytes + uint64_t(limits.max_call_depth) * 8 + kMaxErrorBytes +
                         kMaxHostStateBytes + 4096;
  HALTER_ASSIGN_OR_RETURN(std::vector<uint8_t> body,
                          rt::openSnapshot(cm, bytes, rt::kSnapshotKindExecution, extra));
  rt::SnapshotReader r(body);
  auto image = std::make_shared<ExecutionImage>();
  HALTER_ASSIGN_OR_RETURN(image->instance, rt::readInstanceBody(cm, r));

  HALTER_ASSIGN_OR_RETURN(uint8_t state, r.u8("the execution state"));
  if (state != kStateSuspended && state != kStateOutOfFuel)
    return rt::invalidSnapshot("execution state " + std::to_string(state));
  image->suspended = state == kStateSuspended;
  HALTER_ASSIGN_OR_RETURN(uint8_t metered, r.u8("the metering flag"));
  if (metered > 1) return rt::invalidSnapshot("metering flag " + std::to_string(metered));
  image->metered = metered == 1;
  HALTER_ASSIGN_OR_RETURN(image->fuel_left, r.u64("the fuel left"));
  HALTER_ASSIGN_OR_RETURN(image->fuel_given, r.u64("the fuel given"));
  if (image->fuel_left > uint64_t(INT64_MAX) || image->fuel_given < image->fuel_left ||
      (!image->metered && image->fuel_given != 0))
    return rt::invalidSnapshot("fuel left " + std::to_string(image->fuel_left) + " of " +
                               std::to_string(image->fuel_given) + " given does not add up");
  HALTER_ASSIGN_OR_RETURN(image->peak_memory_bytes, r.u64("the peak memory"));
  HALTER_ASSIGN_OR_RETURN(uint8_t memory_cap_hit, r.u8("a cap flag"));
  HALTER_ASSIGN_OR_RETURN(uint8_t table_cap_hit, r.u8("a cap flag"));
  if (memory_cap_hit > 1 || table_cap_hit > 1) return rt::invalidSnapshot("a cap flag above 1");
  image->memory_cap_hit = memory_cap_hit == 1;
  image->table_cap_hit = table_cap_hit == 1;

  HALTER_ASSIGN_OR_RETURN(uint32_t frames, r.u32("the frame count"));
  if (frames == 0) return rt::invalidSnapshot("no frames");
  if (frames > limits.max_call_depth)
    return rt::invalidSnapshot(std::to_string(frames) + " frames, above Limits::max_call_depth " +
                               std::to_string(limits.max_call_depth));
  if (uint64_t(frames) * 8 > r.left())
    return rt::invalidSnapshot(std::to_string(frames) + " frames do not fit in the body");
  for (uint32_t k = 0; k < frames; ++k) {
    ExecutionImage::FramePoint p;
    HALTER_ASSIGN_OR_RETURN(p.func, r.u32("a frame's function"));
    HALTER_ASSIGN_OR_RETURN(p.at, r.u32("a frame's program point"));
    image->frames.push_back(p);
  }
  if (image->suspended) {
    HALTER_ASSIGN_OR_RETURN(image->pending_func, r.u32("the pending call's function"));
    HALTER_ASSIGN_OR_RETURN(image->token, r.u64("the pending call's token"));
    HALTER_ASSIGN_OR_RETURN(uint32_t args, r.u32("the pending call's argument count"));
    if (uint64_t(args) * 16 > r.left())
      return rt::invalidSnapshot(std::to_string(args) + " arguments do not fit in the body");
    for (uint32_t i = 0; i < args; ++i) {
      HALTER_ASSIGN_OR_RETURN(uint64_t lo, r.u64("an argument"));
      HALTER_ASSIGN_OR_RETURN(uint64_t hi, r.u64("an argument"));
      image->pending_args.emplace_back(lo, hi);
    }
  }
  HALTER_ASSIGN_OR_RETURN(uint64_t slots, r.u64("the stack slot count"));
  if (slots > stack_bytes / 8)
    return rt::invalidSnapshot(std::to_string(slots) +
                               " stack slots, above Limits::max_stack_bytes " +
                               std::to_string(limits.max_stack_bytes));
  if (slots * 8 > r.left())
    return rt::invalidSnapshot(std::to_string(slots) + " stack slots do not fit in the body");
  image->slots.resize(size_t(slots));
  for (uint64_t &slot : image->slots) {
    HALTER_ASSIGN_OR_RETURN(slot, r.u64("a stack slot"));
  }
  HALTER_ASSIGN_OR_RETURN(uint32_t error_bytes, r.u32("the last host error's length"));
  if (error_bytes > kMaxErrorBytes)
    return rt::invalidSnapshot("a last host error of " + std::to_string(error_bytes) + " bytes");
  HALTER_ASSIGN_OR_RETURN(std::span<const uint8_t> error,
                          r.take(error_bytes, "the last host error"));
  image->last_host_error.assign(error.begin(), error.end());
  HALTER_ASSIGN_OR_RETURN(uint32_t host_bytes, r.u32("the host state's length"));
  if (host_bytes > kMaxHostStateBytes)
    return rt::invalidSnapshot("a host state of " + std::to_string(host_bytes) + " bytes");
  HALTER_ASSIGN_OR_RETURN(std::span<const uint8_t> host, r.take(host_bytes, "the host state"));
  image->host_state.assign(host.begin(), host.end());
  if (r.left() != 0)
    return rt::invalidSnapshot(std::to_string(r.left()) + " bytes after the body's last field");
  return std::shared_ptr<const ExecutionImage>(std::move(image));
}

namespace {

// An argument of the pending call, from its bits and the import's type.
Result<Value> argumentOf(ValType t, uint64_t lo, uint64_t hi, size_t i) {
  const std::string where = "the pending call's argument " + std::to_string(i + 1);
  if (isRefType(t)) {
    if (lo != 0 || hi != 0) return rt::invalidSnapshot(where + ": a non-null reference");
    return Value::ref(t, nullptr);
  }
  if (t != ValType::V128 && hi != 0) return rt::invalidSnapshot(where + ": high bits set");
  if ((t == ValType::I32 || t == ValType::F32) && (lo >> 32) != 0)
    return rt::invalidSnapshot(where + ": a 32-bit value with bits above 32");
  return Value::fromBits(t, lo, hi);
}

} // namespace

Result<void> ExecutionSnapshotAccess::restore(Execution &ex, rt::Instance &inst,
                                              const ExecutionImage &image, const Limits &limits,
                                              const CancelToken &cancel) {
  const uint32_t entry_index = image.frames.front().func;
  if (entry_index >= inst.funcs.size() || inst.funcs[entry_index]->isHost() ||
      inst.funcs[entry_index]->instance != &inst)
    return rt::invalidSnapshot("frame 0: function " + std::to_string(entry_index) +
                               " is not one the module defines");
  Limits run_limits = limits;
  if (image.metered) {
    if (!run_limits.fuel) run_limits.fuel = image.fuel_left;
  } else if (run_limits.fuel) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "the execution was saved without fuel metering and cannot continue metered; "
                     "leave Limits::fuel unset");
  }
  if (!ex.prepare(*inst.funcs[entry_index], run_limits, cancel)) {
    if (ex.entry_trap_ == TrapKind::StackExhausted)
      return rt::invalidSnapshot("the called function's frame does not fit in "
                                 "Limits::max_stack_bytes");
    return internal("the called function could not be lowered");
  }

  const compile::Form form = compile::formFor(image.metered);
  Lowerings lowerings(form);
  HALTER_ASSIGN_OR_RETURN(
      StackLayout layout,
      LayoutBuilder(inst, lowerings).build(image.frames, image.suspended, image.pending_func));
  const size_t depth = image.frames.size() - 1;
  if (depth > ex.max_depth)
    return rt::invalidSnapshot(std::to_string(image.frames.size()) +
                               " frames, above Limits::max_call_depth");
  const uint64_t stack_bytes = uint64_t(ex.stack_end - ex.base);
  if (layout.kinds.size() * 8 > stack_bytes)
    return rt::invalidSnapshot("the stack needs " + std::to_string(layout.kinds.size() * 8) +
                               " bytes, above Limits::max_stack_bytes " +
                               std::to_string(stack_bytes));
  if (image.slots.size() != layout.kinds.size())
    return rt::invalidSnapshot(std::to_string(image.slots.size()) +
                               " stack slots; the frames use " +
                               std::to_string(layout.kinds.size()));

  std::vector<Value> args;
  if (image.suspended) {
    const FuncType &t = *inst.funcs[image.pending_func]->type;
    if (image.pending_args.size() != t.params.size())
      return rt::invalidSnapshot("the pending call has " +
                                 std::to_string(image.pending_args.size()) + " arguments; " +
                                 "its import takes " + std::to_string(t.params.size()));
    for (size_t i = 0; i < t.params.size(); ++i) {
      HALTER_ASSIGN_OR_RETURN(Value v, argumentOf(t.params[i], image.pending_args[i].first,
                                                  image.pending_args[i].second, i));
      args.push_back(v);
    }
  }

  // Everything is checked: lay the stack out.
  const uint64_t funcs = inst.funcs.size();
  for (size_t i = 0; i < layout.kinds.size(); ++i) {
    uint64_t v = image.slots[i];
    switch (layout.kinds[i]) {
    case SlotKind::Dead:
    case SlotKind::ExternRef:
      if (v != 0)
        return rt::invalidSnapshot("stack slot " + std::to_string(i) +
                                   (layout.kinds[i] == SlotKind::Dead
                                        ? " is not live and must be 0"
                                        : " holds a non-null externref"));
      break;
    case SlotKind::Num:
      break;
    case SlotKind::FuncRef:
      if (v > funcs)
        return rt::invalidSnapshot("stack slot " + std::to_string(i) + ": function index " +
                                   std::to_string(v - 1) + " is outside the module's " +
                                   std::to_string(funcs) + " functions");
      v = uint64_t(reinterpret_cast<uintptr_t>(rt::refOfCode(inst, v)));
      break;
    }
    std::memcpy(ex.base + i * 8, &v, 8);
  }
  std::vector<Frame> &records = ex.stack->frames;
  if (records.size() < depth) records.resize(depth);
  for (size_t k = 0; k < depth; ++k) {
    const FrameLayout &f = layout.frames[k];
    records[k] = Frame{f.lowering->published + image.frames[k].at, ex.base + f.fp, f.fn};
  }
  const FrameLayout &top = layout.frames.back();
  ex.cur = top.fn;
  ex.pc = top.lowering->published + image.frames.back().at;
  ex.fp = ex.base + top.fp;
  ex.depth = depth;
  if (image.metered) ex.fuel_given_ = image.fuel_given - image.fuel_left + uint64_t(ex.fuel);
  ex.peak_memory_bytes = std::max(ex.peak_memory_bytes, image.peak_memory_bytes);
  ex.memory_cap_hit = image.memory_cap_hit;
  ex.table_cap_hit = image.table_cap_hit;
  inst.last_host_error = image.last_host_error;

  ex.stats_.fuel_used = image.metered ? ex.fuel_given_ - uint64_t(ex.fuel) : 0;
  ex.stats_.peak_memory_bytes = ex.peak_memory_bytes;
  ex.stats_.memory_cap_hit = ex.memory_cap_hit;
  ex.stats_.table_cap_hit = ex.table_cap_hit;
  ex.out = Outcome{};
  ex.out.stats = ex.stats_;
  if (image.suspended) {
    const rt::Function *host = inst.funcs[image.pending_func];
    ex.pending_fn = host;
    ex.pending_frame = ex.base + layout.pending_frame;
    ex.call_pc = top.lowering->published + layout.call_at;
    ex.out.kind = OutcomeKind::Suspended;
    ex.out.pending = PendingCall{host->host_module, host->host_name, std::move(args), image.token};
    ex.park(Execution::State::Suspended);
  } else {
    ex.out.kind = OutcomeKind::OutOfFuel;
    ex.park(Execution::State::Paused);
  }
  return okResult();
}

Result<void> restoreExecution(Execution &ex, rt::Instance &inst, const ExecutionImage &image,
                              const Limits &limits, const CancelToken &cancel) {
  return ExecutionSnapshotAccess::restore(ex, inst, image, limits, cancel);
}

} // namespace halter::exec
