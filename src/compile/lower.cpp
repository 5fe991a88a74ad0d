#include "compile/lower.h"

#include "binary/instr_reader.h"
#include "common/check.h"
#include "compile/register_code.h"

#include <string>

namespace halter::compile {
namespace {

using binary::BlockType;
using binary::Instr;

constexpr uint32_t kSlotBytes = 8;

uint32_t slotsOf(ValType t) {
  return t == ValType::V128 ? 2 : 1;
}
uint32_t slotsOf(const std::vector<ValType> &types) {
  uint32_t n = 0;
  for (ValType t : types) n += slotsOf(t);
  return n;
}

// The result type of a table-typed instruction with one result.
ValType resultType(Op op) {
  HALTER_DCHECK(opInfo(op).sig.num_results == 1);
  return opInfo(op).sig.results[0];
}

// Where the value of an operand stack entry is right now. Entries are
// materialised into their home slot (fixed by stack position) only when
// needed; consumers read locals and constants in place.
enum class Loc : uint8_t { Temp, Local, Const };

struct Entry {
  ValType type = ValType::I32;
  Loc loc = Loc::Temp;
  uint32_t home = 0;  // byte offset of the temporary slot of this stack position
  uint32_t local = 0; // byte offset of the local's slot (Loc::Local)
  uint64_t imm = 0;   // constant bits (Loc::Const)
  uint64_t slot() const { return loc == Loc::Local ? local : home; }
};

enum class CtrlKind : uint8_t { Func, Block, Loop, If };

// A branch offset word to fill in: code[word] = target - instr.
struct Patch {
  size_t word = 0;
  size_t instr = 0;
};

struct Ctrl {
  CtrlKind kind = CtrlKind::Block;
  std::vector<ValType> params;
  std::vector<ValType> results;
  size_t height = 0;       // stack size below the params
  uint32_t label_home = 0; // home of stack position `height`: where label values go
  size_t loop_start = 0;
  std::vector<Patch> patches;      // forward branches to the end
  Patch else_patch;                // if: the branch over the then arm
  std::vector<Entry> saved_params; // if: the params, restored for the else arm
  bool seen_else = false;
  bool unreachable = false;

  const std::vector<ValType> &labelTypes() const {
    return kind == CtrlKind::Loop ? params : results;
  }
};

// A branch condition: an i32 slot, a fused comparison, or a fused
// increment (dst = a + imm, then test dst).
struct Cond {
  enum class Kind : uint8_t { Slot, Cmp, CmpImm, Inc, AddCmp } kind = Kind::Slot;
  bool negate = false; // Slot, Inc: branch when zero
  Op cmp = Op::I32Eq;
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t dst = 0;     // Inc, AddCmp
  uint64_t c = 0;       // AddCmp: compared with dst
  bool add_imm = false; // AddCmp: b is an immediate
  bool cmp_imm = false; // AddCmp: c is an immediate
};

// The last instruction, when it produced a value, for peepholes that fuse it
// with its consumer or retarget its destination.
struct Producer {
  size_t start = ~size_t{0};
  size_t end = 0;        // code size right after it
  uint32_t home = 0;     // home of the entry it pushed
  Op op = Op::Nop;       // the wasm op it came from (compares, eqz, i32.add)
  bool imm = false;      // second operand is an immediate
  bool in_local = false; // its destination was retargeted to a local (local.tee)
};

bool isFusibleCompare(Op op) {
  switch (op) {
#define HALTER_IS_CMP(name) case Op::name:
    HALTER_BRCMP_OPS(HALTER_IS_CMP)
#undef HALTER_IS_CMP
    return true;
  default:
    return false;
  }
}

// The facts below are columns of opcodes.def.
Op invertCompare(Op op) {
  HALTER_DCHECK(opInfo(op).inverse != Op::Nop);
  return opInfo(op).inverse;
}

// a OP b == b MIRROR(OP) a; commutative ops are their own mirror.
Op mirrorCompare(Op op) {
  Op mirror = opInfo(op).mirror;
  return mirror == Op::Nop ? op : mirror;
}

// Whether `a OP b` can be emitted as `b MIRROR(OP) a`.
bool canSwapOperands(Op op) {
  return opInfo(op).commutative() || opInfo(op).mirror != Op::Nop;
}

bool unaryIOp(Op op, IOp *out) {
  switch (op) {
#define HALTER_MAP_UN(name)                                                                        \
  case Op::name:                                                                                   \
    *out = IOp::Un##name;                                                                          \
    return true;
    HALTER_UNARY_OPS(HALTER_MAP_UN)
#undef HALTER_MAP_UN
  default:
    return false;
  }
}

bool binaryIOp(Op op, bool imm, IOp *out) {
  switch (op) {
#define HALTER_MAP_BIN(name)                                                                       \
  case Op::name:                                                                                   \
    *out = imm ? IOp::Imm##name : IOp::Bin##name;                                                  \
    return true;
    HALTER_BINARY_OPS(HALTER_MAP_BIN)
#undef HALTER_MAP_BIN
  default:
    return false;
  }
}

bool isI32Compare(Op op) {
  return isFusibleCompare(op) && opInfo(op).sig.params[0] == ValType::I32;
}

IOp brAddIOp(Op op, bool add_imm, bool cmp_imm) {
  switch (op) {
#define HALTER_MAP_BRADD(name)                                                                     \
  case Op::name:                                                                                   \
    return add_imm ? (cmp_imm ? IOp::BrAddII##name : IOp::BrAddIS##name)                           \
                   : (cmp_imm ? IOp::BrAddSI##name : IOp::BrAddSS##name);
    HALTER_BRADD_OPS(HALTER_MAP_BRADD)
#undef HALTER_MAP_BRADD
  default:
    return IOp::Unreachable;
  }
}

// The fused form of `op` with its second operand loaded by `load`, if any.
bool binLoadIOp(Op op, IOp load, IOp *out) {
#define HALTER_MAP_BINLD(name, load_op)                                                            \
  if (op == Op::name && load == IOp::Ld##load_op) {                                                \
    *out = IOp::BinLd##name;                                                                       \
    return true;                                                                                   \
  }
  HALTER_LOADOP_OPS(HALTER_MAP_BINLD)
#undef HALTER_MAP_BINLD
  return false;
}

IOp brCmpIOp(Op op, bool imm) {
  switch (op) {
#define HALTER_MAP_BR(name)                                                                        \
  case Op::name:                                                                                   \
    return imm ? IOp::BrImm##name : IOp::Br##name;
    HALTER_BRCMP_OPS(HALTER_MAP_BR)
#undef HALTER_MAP_BR
  default:
    return IOp::Unreachable;
  }
}

// The addressing forms of one load (register_code.h), by name.
struct LoadForms {
  IOp slot;     // Ld: address slot
  IOp add_imm;  // LdA: base slot + immediate
  IOp add_slot; // LdS: base slot + index slot
};
bool loadForms(Op op, LoadForms *out) {
  switch (op) {
#define HALTER_MAP_LD(name)                                                                        \
  case Op::name:                                                                                   \
    *out = {IOp::Ld##name, IOp::LdA##name, IOp::LdS##name};                                        \
    return true;
    HALTER_LOAD_OPS(HALTER_MAP_LD)
#undef HALTER_MAP_LD
  default:
    return false;
  }
}

// The forms of one store: address (slot, or base + immediate) by value
// (slot or immediate).
struct StoreForms {
  IOp slot;        // St
  IOp slot_imm;    // StI
  IOp add_imm;     // StA
  IOp add_imm_imm; // StAI
};
bool storeForms(Op op, StoreForms *out) {
  switch (op) {
#define HALTER_MAP_ST(name)                                                                        \
  case Op::name:                                                                                   \
    *out = {IOp::St##name, IOp::StI##name, IOp::StA##name, IOp::StAI##name};                       \
    return true;
    HALTER_STORE_OPS(HALTER_MAP_ST)
#undef HALTER_MAP_ST
  default:
    return false;
  }
}

class Lowerer {
public:
  Lowerer(const ir::Module &m, uint32_t defined_index, bool metered, std::vector<StopPoint> *stops)
      : m_(m), index_(defined_index), body_(m.codes[defined_index]),
        type_(m.types[m.functions[defined_index]]), metered_(metered), stops_(stops) {}

  Result<LoweredCode> run();

private:
  // Emission.
  // Every fixed-shape instruction gets exactly its shape's operands: a
  // miscounted form is a lowering failure, not code that reads a wrong word.
  size_t emit(IOp op, std::initializer_list<uint64_t> operands) {
    HALTER_DCHECK(kIOpWords[size_t(op)] == 0 || operands.size() + 1 == kIOpWords[size_t(op)]);
    size_t start = code_.size();
    code_.push_back(static_cast<uint64_t>(op));
    code_.insert(code_.end(), operands.begin(), operands.end());
    return start;
  }
  void mapSource(size_t start) {
    out_.source_map.emplace_back(static_cast<uint32_t>(start), static_cast<uint32_t>(offset_));
  }
  void bind(const Patch &p, size_t target) {
    code_[p.word] = static_cast<uint64_t>(static_cast<int64_t>(target) - int64_t(p.instr));
  }
  // A forward target lies strictly after its branch: the interpreter takes
  // an offset <= 0 for a loop back edge and tests for interrupts there
  // (register_code.h), so a forward branch must never look like one.
  void bindForward(const Patch &p, size_t target) {
    HALTER_DCHECK(target > p.instr);
    bind(p, target);
  }
  // Metered lowering: a basic block starts here. Its Fuel instruction is
  // emitted before the block's first instruction that costs anything, and its
  // cost grows as the block's instructions are lowered; a block of free
  // instructions (end, else, nop) gets none. Nothing fuses across it.
  void startFuelBlock() {
    if (!metered_) return;
    forgetProducer();
    fuel_word_ = 0;
    fuel_pending_ = true;
  }
  void chargeFuel(Op op) {
    uint32_t cost = opInfo(op).fuel;
    if (cost == 0) return;
    if (fuel_pending_) {
      forgetProducer();
      size_t start = emit(IOp::Fuel, {0});
      recordStop(start);
      fuel_word_ = start + 1;
      fuel_pending_ = false;
    }
    if (fuel_word_ != 0) code_[fuel_word_] += cost;
  }

  // Notes the stop point at `start` with the temporaries live there: the
  // stack's and the instruction's own `operands` (popped already).
  void recordStop(size_t start, std::initializer_list<const Entry *> operands = {}) {
    if (stops_ == nullptr) return;
    StopPoint p;
    p.at = static_cast<uint32_t>(start);
    p.op = static_cast<IOp>(code_[start]);
    p.words = static_cast<uint32_t>(kIOpWords[code_[start]]);
    auto add = [&](const Entry &e) {
      if (e.loc == Loc::Temp) p.temps.emplace_back(e.home, e.type);
    };
    for (const Entry &e : stack_) add(e);
    for (const Entry *e : operands) add(*e);
    stops_->push_back(std::move(p));
  }

  // Operand stack.
  uint32_t homeAt(size_t pos) const {
    if (pos < stack_.size()) return stack_[pos].home;
    if (stack_.empty()) return temp_base_;
    const Entry &top = stack_.back();
    return top.home + slotsOf(top.type) * kSlotBytes;
  }
  uint32_t nextHome() const { return homeAt(stack_.size()); }
  void push(Entry e) {
    e.home = nextHome();
    uint32_t end = e.home + slotsOf(e.type) * kSlotBytes;
    if (end > max_end_) max_end_ = end;
    if (e.loc == Loc::Local) ++lazy_locals_;
    stack_.push_back(e);
  }
  void pushTemp(ValType t) { push(Entry{t, Loc::Temp, 0, 0, 0}); }
  void pushLocal(ValType t, uint32_t slot) { push(Entry{t, Loc::Local, 0, slot, 0}); }
  void pushConst(ValType t, uint64_t bits) { push(Entry{t, Loc::Const, 0, 0, bits}); }
  Entry pop() {
    HALTER_DCHECK(stack_.size() > ctrl_.back().height);
    Entry e = stack_.back();
    stack_.pop_back();
    if (e.loc == Loc::Local) --lazy_locals_;
    return e;
  }
  void truncateStack(size_t n) {
    while (stack_.size() > n) {
      if (stack_.back().loc == Loc::Local) --lazy_locals_;
      stack_.pop_back();
    }
  }

  // Copies `src` into the slot `dst` (no code when it is already there).
  void emitMove(uint32_t dst, const Entry &src) {
    if (src.loc == Loc::Temp && src.home == dst) return;
    uint32_t n = slotsOf(src.type);
    if (src.loc == Loc::Const) {
      emit(IOp::Const, {dst, src.imm});
      if (n == 2) emit(IOp::Const, {dst + kSlotBytes, 0});
      return;
    }
    for (uint32_t i = 0; i < n; ++i)
      emit(IOp::Copy, {dst + i * kSlotBytes, src.slot() + i * kSlotBytes});
  }
  void materialize(Entry &e) {
    if (e.loc == Loc::Temp) return;
    emitMove(e.home, e);
    if (e.loc == Loc::Local) --lazy_locals_;
    e.loc = Loc::Temp;
  }
  // The slot to read a popped entry from (constants are materialised).
  uint64_t readSlot(Entry &e) {
    if (e.loc == Loc::Const) {
      emitMove(e.home, e);
      e.loc = Loc::Temp;
    }
    return e.slot();
  }
  void materializeLocals() {
    if (lazy_locals_ == 0) return;
    for (Entry &e : stack_)
      if (e.loc == Loc::Local) materialize(e);
  }
  void materializeTop(size_t n) {
    for (size_t i = stack_.size() - n; i < stack_.size(); ++i) materialize(stack_[i]);
  }

  // Pushes the result of the instruction at `start`, whose operand 1 is its
  // destination slot, and remembers it for the peepholes.
  void produce(size_t start, ValType t, Op op = Op::Nop, bool imm = false) {
    pushTemp(t);
    bool contiguous = last_.start != ~size_t{0} && last_.end == start;
    prev_ = contiguous ? last_ : Producer{};
    last_ = Producer{start, code_.size(), stack_.back().home, op, imm, false};
  }
  void forgetProducer() {
    last_ = Producer{};
    prev_ = Producer{};
  }
  // Whether `e` (just popped) is the result of the last emitted instruction.
  bool producedLast(const Entry &e) const {
    return e.loc == Loc::Temp && last_.start != ~size_t{0} && !last_.in_local &&
           last_.end == code_.size() && last_.home == e.home;
  }
  // Whether `e` (just popped) is the result of an `i32.add` with an immediate
  // that is the last instruction, possibly written to a local by local.tee.
  bool producedByAddImm(const Entry &e) const {
    if (last_.start == ~size_t{0} || last_.end != code_.size() || last_.op != Op::I32Add ||
        !last_.imm)
      return false;
    if (last_.in_local) return e.loc == Loc::Local && e.local == code_[last_.start + 1];
    return producedLast(e);
  }

  // Control.
  Ctrl &label(uint32_t depth) { return ctrl_[ctrl_.size() - 1 - depth]; }
  void blockSignature(const BlockType &bt, std::vector<ValType> *params,
                      std::vector<ValType> *results) const {
    params->clear();
    results->clear();
    if (bt.kind == BlockType::Kind::Value) {
      results->push_back(bt.value);
    } else if (bt.kind == BlockType::Kind::TypeIndex && bt.type_index < m_.types.size()) {
      *params = m_.types[bt.type_index].params;
      *results = m_.types[bt.type_index].results;
    }
  }
  bool needsCopies(const Ctrl &c) const {
    const std::vector<ValType> &types = c.labelTypes();
    size_t n = types.size();
    uint32_t home = c.label_home;
    for (size_t i = 0; i < n; ++i) {
      const Entry &e = stack_[stack_.size() - n + i];
      if (e.loc != Loc::Temp || e.home != home) return true;
      home += slotsOf(types[i]) * kSlotBytes;
    }
    return false;
  }
  // Copies the label values (the stack top) into the label's slots.
  void moveToLabel(const Ctrl &c) { moveValues(c, c.labelTypes()); }
  // Copies the block results (the stack top) into their slots at the end.
  void moveResults(const Ctrl &c) { moveValues(c, c.results); }
  void moveValues(const Ctrl &c, const std::vector<ValType> &types) {
    size_t n = types.size();
    uint32_t home = c.label_home;
    for (size_t i = 0; i < n; ++i) {
      emitMove(home, stack_[stack_.size() - n + i]);
      home += slotsOf(types[i]) * kSlotBytes;
    }
  }
  void jumpTo(Ctrl &c, size_t start, size_t word) {
    if (c.kind == CtrlKind::Loop)
      bind(Patch{word, start}, c.loop_start);
    else
      c.patches.push_back(Patch{word, start});
  }
  // Unconditional branch to `depth`, with its values.
  void branch(uint32_t depth) {
    Ctrl &c = label(depth);
    if (c.kind == CtrlKind::Func) {
      emitReturn();
      return;
    }
    moveToLabel(c);
    size_t start = emit(IOp::Br, {0});
    jumpTo(c, start, start + 1);
  }
  // Emits a conditional branch with its offset unresolved.
  Patch emitCondBranch(const Cond &cond, bool when_true) {
    size_t start;
    if (cond.kind == Cond::Kind::Slot) {
      bool on_nonzero = when_true != cond.negate;
      start = emit(on_nonzero ? IOp::BrIf : IOp::BrUnless, {cond.a, 0});
      return Patch{start + 2, start};
    }
    if (cond.kind == Cond::Kind::AddCmp) {
      Op op = when_true ? cond.cmp : invertCompare(cond.cmp);
      start = emit(brAddIOp(op, cond.add_imm, cond.cmp_imm), {cond.dst, cond.a, cond.b, cond.c, 0});
      return Patch{start + 5, start};
    }
    if (cond.kind == Cond::Kind::Inc) {
      bool on_nonzero = when_true != cond.negate;
      start = emit(on_nonzero ? IOp::BrIncNz : IOp::BrIncZ, {cond.dst, cond.a, cond.b, 0});
      return Patch{start + 4, start};
    }
    Op op = when_true ? cond.cmp : invertCompare(cond.cmp);
    start = emit(brCmpIOp(op, cond.kind == Cond::Kind::CmpImm), {cond.a, cond.b, 0});
    return Patch{start + 3, start};
  }
  // Turns the popped condition entry into a Cond, folding in the compare or
  // eqz that produced it (the compare instruction is removed from the code).
  Cond takeCond(Entry &e) {
    Cond c;
    if (producedLast(e) && isI32Compare(last_.op) && prev_.start != ~size_t{0} &&
        prev_.end == last_.start && prev_.op == Op::I32Add) {
      // add + compare + branch: the compare reads the sum in one operand.
      uint64_t sum = code_[prev_.start + 1];
      uint64_t x = code_[last_.start + 2], y = code_[last_.start + 3];
      Op cmp = last_.op;
      bool fuse = x == sum;
      if (!fuse && !last_.imm && y == sum) {
        fuse = true;
        std::swap(x, y);
        cmp = mirrorCompare(cmp);
      }
      if (fuse) {
        c.kind = Cond::Kind::AddCmp;
        c.cmp = cmp;
        c.dst = sum;
        c.a = code_[prev_.start + 2];
        c.b = code_[prev_.start + 3];
        c.add_imm = prev_.imm;
        c.c = y;
        c.cmp_imm = last_.imm;
        code_.resize(prev_.start);
        forgetProducer();
        return c;
      }
    }
    if (producedLast(e) && (isFusibleCompare(last_.op) || last_.op == Op::I32Eqz)) {
      size_t start = last_.start;
      if (last_.op == Op::I32Eqz) {
        c.kind = Cond::Kind::Slot;
        c.negate = true;
        c.a = code_[start + 2];
      } else {
        c.kind = last_.imm ? Cond::Kind::CmpImm : Cond::Kind::Cmp;
        c.cmp = last_.op;
        c.a = code_[start + 2];
        c.b = code_[start + 3];
      }
      code_.resize(start);
      forgetProducer();
      return c;
    }
    if (producedByAddImm(e)) {
      size_t start = last_.start;
      c.kind = Cond::Kind::Inc;
      c.dst = code_[start + 1];
      c.a = code_[start + 2];
      c.b = code_[start + 3];
      code_.resize(start);
      forgetProducer();
      return c;
    }
    c.kind = Cond::Kind::Slot;
    c.a = readSlot(e);
    return c;
  }
  void setUnreachable() {
    Ctrl &c = ctrl_.back();
    c.unreachable = true;
    truncateStack(c.height);
    forgetProducer();
  }
  void emitReturn();

  // Instructions.
  void lowerInstr(const Instr &in);
  void enterBlock(CtrlKind kind, const BlockType &bt);
  void lowerIf(const BlockType &bt);
  void lowerElse();
  void lowerEnd();
  void lowerBrIf(uint32_t depth);
  void lowerBrTable(const std::vector<uint32_t> &labels);
  void lowerLocalSet(uint32_t index, bool tee);
  void lowerUnary(Op op);
  void lowerBinary(Op op);
  void lowerCall(uint32_t func_index, const FuncType &type, bool indirect, uint32_t type_index,
                 uint32_t table);

  const ir::Module &m_;
  uint32_t index_;
  const ir::FunctionBody &body_;
  const FuncType &type_;

  LoweredCode out_;
  std::vector<uint64_t> code_;
  std::vector<Entry> stack_;
  std::vector<Ctrl> ctrl_;
  std::vector<uint32_t> local_slot_; // byte offset of each local
  std::vector<ValType> local_type_;
  // Declared locals not written yet on any path to here (they hold zero).
  std::vector<bool> known_zero_;
  uint32_t temp_base_ = 0;
  uint32_t max_end_ = 0;
  size_t lazy_locals_ = 0;
  Producer last_;
  Producer prev_;       // the producer just before last_, when contiguous with it
  uint64_t offset_ = 0; // wasm byte offset of the instruction being lowered
  const bool metered_;
  size_t fuel_word_ = 0;      // cost word of the current block's Fuel instruction
  bool fuel_pending_ = false; // a block started and has no Fuel instruction yet
  bool done_ = false;
  bool missing_rule_ = false;
  std::vector<StopPoint> *stops_;
};

void Lowerer::emitReturn() {
  size_t r = type_.results.size();
  HALTER_DCHECK(stack_.size() >= r);
  if (r == 0) {
    emit(IOp::Return, {});
    return;
  }
  if (r == 1 && slotsOf(type_.results[0]) == 1) {
    Entry &e = stack_.back();
    if (e.loc == Loc::Const) {
      emit(IOp::Const, {0, e.imm});
      emit(IOp::Return, {});
    } else {
      emit(IOp::Return1, {e.slot()});
    }
    return;
  }
  // Results may overlap the sources (e.g. swapped locals): copy in parallel
  // through a staging area above the stack top.
  std::vector<uint64_t> srcs;
  for (size_t i = stack_.size() - r; i < stack_.size(); ++i) {
    Entry &e = stack_[i];
    if (e.loc == Loc::Const) materialize(e);
    for (uint32_t k = 0; k < slotsOf(e.type); ++k) srcs.push_back(e.slot() + k * kSlotBytes);
  }
  uint32_t stage = nextHome();
  uint32_t end = stage + static_cast<uint32_t>(srcs.size()) * kSlotBytes;
  if (end > max_end_) max_end_ = end;
  code_.push_back(static_cast<uint64_t>(IOp::ReturnN));
  code_.push_back(srcs.size());
  code_.push_back(stage);
  code_.insert(code_.end(), srcs.begin(), srcs.end());
}

void Lowerer::enterBlock(CtrlKind kind, const BlockType &bt) {
  Ctrl c;
  c.kind = kind;
  blockSignature(bt, &c.params, &c.results);
  HALTER_DCHECK(stack_.size() >= ctrl_.back().height + c.params.size());
  // A lazily read local must not stay lazy across a join: a write to it in
  // the block would materialise it on one path only.
  materializeLocals();
  c.height = stack_.size() - c.params.size();
  c.label_home = homeAt(c.height);
  if (kind == CtrlKind::Loop) {
    materializeTop(c.params.size());
    c.loop_start = code_.size();
    startFuelBlock(); // every iteration pays
    // A back edge may bring any write in the body: no local is known zero.
    std::fill(known_zero_.begin(), known_zero_.end(), false);
  }
  forgetProducer();
  ctrl_.push_back(std::move(c));
}

void Lowerer::lowerIf(const BlockType &bt) {
  Entry cond_entry = pop();
  // Before fusing the condition: a fused branch may write a local (an
  // increment through local.tee) that these copies must read first.
  materializeLocals();
  Cond cond = takeCond(cond_entry);
  Ctrl c;
  c.kind = CtrlKind::If;
  blockSignature(bt, &c.params, &c.results);
  HALTER_DCHECK(stack_.size() >= ctrl_.back().height + c.params.size());
  c.height = stack_.size() - c.params.size();
  c.label_home = homeAt(c.height);
  // Params sit in their homes, which are the result slots: the implicit else
  // arm passes them through.
  materializeTop(c.params.size());
  c.saved_params.assign(stack_.begin() + c.height, stack_.end());
  c.else_patch = emitCondBranch(cond, false);
  forgetProducer();
  ctrl_.push_back(std::move(c));
  startFuelBlock();
}

void Lowerer::lowerElse() {
  Ctrl &c = ctrl_.back();
  HALTER_DCHECK(c.kind == CtrlKind::If && !c.seen_else);
  if (!c.unreachable) {
    HALTER_DCHECK(stack_.size() >= c.height + c.results.size());
    moveResults(c);
    size_t start = emit(IOp::Br, {0});
    c.patches.push_back(Patch{start + 1, start});
  }
  bindForward(c.else_patch, code_.size());
  startFuelBlock();
  c.seen_else = true;
  c.unreachable = false;
  truncateStack(c.height);
  for (const Entry &e : c.saved_params) push(e);
  forgetProducer();
}

void Lowerer::lowerEnd() {
  Ctrl &c = ctrl_.back();
  if (!c.unreachable) {
    HALTER_DCHECK(stack_.size() >= c.height + c.results.size());
    if (c.kind == CtrlKind::Func) {
      emitReturn();
    } else {
      moveResults(c);
    }
  }
  if (c.kind == CtrlKind::Func) {
    ctrl_.pop_back();
    done_ = true;
    return;
  }
  size_t here = code_.size();
  if (c.kind == CtrlKind::If && !c.seen_else) bindForward(c.else_patch, here);
  for (const Patch &p : c.patches) bindForward(p, here);
  truncateStack(c.height);
  std::vector<ValType> results = std::move(c.results);
  ctrl_.pop_back();
  for (ValType t : results) pushTemp(t);
  forgetProducer();
  startFuelBlock();
}

void Lowerer::lowerBrIf(uint32_t depth) {
  Entry cond_entry = pop();
  HALTER_DCHECK(depth < ctrl_.size());
  Cond cond = takeCond(cond_entry);
  Ctrl &c = label(depth);
  HALTER_DCHECK(stack_.size() >= c.labelTypes().size());
  if (c.kind != CtrlKind::Func && !needsCopies(c)) {
    Patch p = emitCondBranch(cond, true);
    jumpTo(c, p.instr, p.word);
  } else {
    Patch skip = emitCondBranch(cond, false);
    branch(depth);
    bindForward(skip, code_.size());
  }
  forgetProducer();
  startFuelBlock(); // the fall-through
}

void Lowerer::lowerBrTable(const std::vector<uint32_t> &labels) {
  Entry idx = pop();
  HALTER_DCHECK(!labels.empty());
  uint64_t idx_slot = readSlot(idx);
  size_t n = labels.size() - 1;
  size_t start = code_.size();
  code_.push_back(static_cast<uint64_t>(IOp::BrTable));
  code_.push_back(idx_slot);
  code_.push_back(n);
  code_.resize(code_.size() + labels.size(), 0);
  // Labels whose values need copying (or that return) go through a stub
  // after the table, one per distinct depth.
  std::vector<std::pair<uint32_t, std::vector<size_t>>> stubs;
  for (size_t i = 0; i < labels.size(); ++i) {
    uint32_t depth = labels[i];
    HALTER_DCHECK(depth < ctrl_.size());
    Ctrl &c = label(depth);
    size_t word = start + 3 + i;
    HALTER_DCHECK(stack_.size() >= c.labelTypes().size());
    if (c.kind != CtrlKind::Func && !needsCopies(c)) {
      jumpTo(c, start, word);
      continue;
    }
    bool found = false;
    for (auto &s : stubs) {
      if (s.first == depth) {
        s.second.push_back(word);
        found = true;
      }
    }
    if (!found) stubs.push_back({depth, {word}});
  }
  for (auto &s : stubs) {
    for (size_t word : s.second) bindForward(Patch{word, start}, code_.size());
    branch(s.first);
  }
  setUnreachable();
}

void Lowerer::lowerLocalSet(uint32_t index, bool tee) {
  Entry v = pop();
  HALTER_DCHECK(index < local_slot_.size());
  uint32_t slot = local_slot_[index];
  if (v.loc == Loc::Const && v.imm == 0 && known_zero_[index]) {
    // Storing zero into a local that still holds its initial zero.
    forgetProducer();
    if (tee) pushConst(v.type, 0);
    return;
  }
  known_zero_[index] = false;
  // Stack entries that still read the old value get their own copy first.
  if (lazy_locals_ != 0) {
    for (Entry &e : stack_)
      if (e.loc == Loc::Local && e.local == slot) materialize(e);
  }
  bool retargeted = false;
  if (producedLast(v) && slotsOf(v.type) == 1) {
    code_[last_.start + 1] = slot; // the producer writes the local directly
    retargeted = true;
  } else if (!(v.loc == Loc::Local && v.local == slot)) {
    emitMove(slot, v);
  }
  Producer producer = last_, before = prev_;
  forgetProducer();
  if (tee) {
    if (v.loc == Loc::Const) {
      pushConst(v.type, v.imm);
    } else {
      pushLocal(v.type, slot);
      if (retargeted) {
        // Still fusible with a following br_if (see producedByAddImm).
        last_ = producer;
        last_.home = stack_.back().home;
        last_.in_local = true;
        prev_ = before;
      }
    }
  }
}

void Lowerer::lowerUnary(Op op) {
  Entry a = pop();
  ValType rt = resultType(op);
  IOp iop;
  if (!unaryIOp(op, &iop)) {
    missing_rule_ = true;
    return;
  }
  uint64_t src = readSlot(a);
  uint32_t dst = nextHome();
  size_t start = emit(iop, {dst, src});
  if (opInfo(op).mayTrap()) mapSource(start);
  produce(start, rt, op);
}

void Lowerer::lowerBinary(Op op) {
  Entry b = pop();
  Entry a = pop();
  ValType rt = resultType(op);
  // A load feeding the op (as b, or as a of a commutative op) is fused.
  for (int side = 0; side < 2; ++side) {
    Entry &loaded = side == 0 ? b : a;
    Entry &other = side == 0 ? a : b;
    if (side == 1 && !opInfo(op).commutative()) break;
    IOp fused;
    if (!producedLast(loaded) || other.loc == Loc::Const ||
        !binLoadIOp(op, static_cast<IOp>(code_[last_.start]), &fused))
      continue;
    size_t start = last_.start;
    uint64_t addr = code_[start + 2], offset = code_[start + 3];
    code_.resize(start); // the load's source map entry stays: same start
    uint32_t dst = nextHome();
    emit(fused, {dst, other.slot(), addr, offset});
    produce(start, rt);
    return;
  }
  bool imm = false;
  uint64_t x, y;
  Op emitted = op;
  if (b.loc == Loc::Const) {
    x = readSlot(a);
    y = b.imm;
    imm = true;
  } else if (a.loc == Loc::Const && canSwapOperands(op)) {
    x = readSlot(b);
    y = a.imm;
    imm = true;
    emitted = mirrorCompare(op);
  } else {
    x = readSlot(a);
    y = readSlot(b);
  }
  IOp iop;
  if (!binaryIOp(emitted, imm, &iop)) {
    missing_rule_ = true;
    return;
  }
  uint32_t dst = nextHome();
  size_t start = emit(iop, {dst, x, y});
  if (opInfo(op).mayTrap()) mapSource(start);
  produce(start, rt, emitted, imm);
}

void Lowerer::lowerCall(uint32_t func_index, const FuncType &type, bool indirect,
                        uint32_t type_index, uint32_t table) {
  uint64_t idx_slot = 0;
  Entry idx;
  if (indirect) {
    idx = pop();
    idx_slot = readSlot(idx);
  }
  size_t np = type.params.size();
  HALTER_DCHECK(stack_.size() >= ctrl_.back().height + np);
  materializeTop(np);
  uint32_t frame = homeAt(stack_.size() - np);
  size_t start = indirect ? emit(IOp::CallIndirect, {type_index, table, idx_slot, frame})
                          : emit(func_index < m_.numImportedFuncs() ? IOp::Call : IOp::CallLocal,
                                 {func_index, frame});
  mapSource(start);
  if (indirect)
    recordStop(start, {&idx});
  else
    recordStop(start);
  truncateStack(stack_.size() - np);
  for (ValType t : type.results) pushTemp(t);
  forgetProducer();
}

void Lowerer::lowerInstr(const Instr &in) {
  Op op = in.op;
  switch (op) {
  case Op::Unreachable: {
    size_t start = emit(IOp::Unreachable, {});
    mapSource(start);
    setUnreachable();
    return;
  }
  case Op::Nop:
    return;
  case Op::Block:
    enterBlock(CtrlKind::Block, in.block);
    return;
  case Op::Loop:
    enterBlock(CtrlKind::Loop, in.block);
    return;
  case Op::If:
    lowerIf(in.block);
    return;
  case Op::Else:
    lowerElse();
    return;
  case Op::End:
    lowerEnd();
    return;
  case Op::Br:
    HALTER_DCHECK(in.index < ctrl_.size());
    branch(in.index);
    setUnreachable();
    return;
  case Op::BrIf:
    lowerBrIf(in.index);
    return;
  case Op::BrTable:
    lowerBrTable(in.labels);
    return;
  case Op::Return:
    emitReturn();
    setUnreachable();
    return;
  case Op::Call:
    HALTER_DCHECK(in.index < m_.numFuncs());
    lowerCall(in.index, m_.funcType(in.index), false, 0, 0);
    return;
  case Op::CallIndirect:
    HALTER_DCHECK(in.index < m_.types.size());
    lowerCall(0, m_.types[in.index], true, in.index, in.index2);
    return;
  case Op::Drop:
    pop();
    forgetProducer();
    return;
  case Op::Select:
  case Op::SelectT: {
    Entry cond = pop();
    Entry b = pop();
    Entry a = pop();
    uint64_t c = readSlot(cond), sb = readSlot(b), sa = readSlot(a);
    uint32_t dst = nextHome();
    size_t start = emit(slotsOf(a.type) == 2 ? IOp::Select2 : IOp::Select, {dst, sa, sb, c});
    produce(start, a.type);
    return;
  }
  case Op::LocalGet:
    // Pushes of locals and constants emit no code and keep the producer: a
    // consumer can still fuse with the instruction below them.
    HALTER_DCHECK(in.index < local_slot_.size());
    if (known_zero_[in.index])
      pushConst(local_type_[in.index], 0);
    else
      pushLocal(local_type_[in.index], local_slot_[in.index]);
    return;
  case Op::LocalSet:
  case Op::LocalTee:
    lowerLocalSet(in.index, op == Op::LocalTee);
    return;
  case Op::GlobalGet: {
    HALTER_DCHECK(in.index < m_.numGlobals());
    uint32_t dst = nextHome();
    size_t start = emit(IOp::GlobalGet, {dst, in.index});
    produce(start, m_.globalType(in.index).type);
    return;
  }
  case Op::GlobalSet: {
    Entry v = pop();
    emit(IOp::GlobalSet, {in.index, readSlot(v)});
    forgetProducer();
    return;
  }
  case Op::TableGet: {
    HALTER_DCHECK(in.index < m_.numTables());
    Entry i = pop();
    uint64_t si = readSlot(i);
    uint32_t dst = nextHome();
    size_t start = emit(IOp::TableGet, {dst, in.index, si});
    mapSource(start);
    produce(start, m_.tableType(in.index).elem);
    return;
  }
  case Op::TableSet: {
    Entry v = pop();
    Entry i = pop();
    uint64_t sv = readSlot(v), si = readSlot(i);
    size_t start = emit(IOp::TableSet, {in.index, si, sv});
    mapSource(start);
    forgetProducer();
    return;
  }
  case Op::MemorySize: {
    uint32_t dst = nextHome();
    size_t start = emit(IOp::MemorySize, {dst});
    produce(start, ValType::I32);
    return;
  }
  case Op::MemoryGrow: {
    Entry d = pop();
    uint64_t sd = readSlot(d);
    uint32_t dst = nextHome();
    size_t start = emit(IOp::MemoryGrow, {dst, sd});
    recordStop(start, {&d});
    produce(start, ValType::I32);
    return;
  }
  case Op::I32Const:
    pushConst(ValType::I32, in.bits & 0xFFFFFFFFu);
    return;
  case Op::I64Const:
    pushConst(ValType::I64, in.bits);
    return;
  case Op::F32Const:
    pushConst(ValType::F32, in.bits & 0xFFFFFFFFu);
    return;
  case Op::F64Const:
    pushConst(ValType::F64, in.bits);
    return;
  case Op::I32WrapI64:
  case Op::I32ReinterpretF32:
  case Op::I64ReinterpretF64:
  case Op::F32ReinterpretI32:
  case Op::F64ReinterpretI64: {
    // The slot bits already hold the result (i32 and f32 read the low half).
    Entry a = pop();
    a.type = resultType(op);
    if (op == Op::I32WrapI64 && a.loc == Loc::Const) a.imm &= 0xFFFFFFFFu;
    push(a);
    forgetProducer();
    return;
  }
  case Op::RefNull:
    pushConst(in.type, 0);
    return;
  case Op::RefIsNull: {
    Entry a = pop();
    uint64_t src = readSlot(a);
    uint32_t dst = nextHome();
    size_t start = emit(IOp::UnI64Eqz, {dst, src});
    produce(start, ValType::I32);
    return;
  }
  case Op::RefFunc: {
    uint32_t dst = nextHome();
    size_t start = emit(IOp::RefFunc, {dst, in.index});
    produce(start, ValType::FuncRef);
    return;
  }
  case Op::MemoryInit:
  case Op::MemoryCopy:
  case Op::MemoryFill:
  case Op::TableInit:
  case Op::TableCopy: {
    Entry n = pop();
    Entry s = pop();
    Entry d = pop();
    uint64_t sn = readSlot(n), ss = readSlot(s), sd = readSlot(d);
    size_t start = 0;
    if (op == Op::MemoryInit)
      start = emit(IOp::MemoryInit, {in.index, sd, ss, sn});
    else if (op == Op::MemoryCopy)
      start = emit(IOp::MemoryCopy, {sd, ss, sn});
    else if (op == Op::MemoryFill)
      start = emit(IOp::MemoryFill, {sd, ss, sn});
    else if (op == Op::TableInit)
      start = emit(IOp::TableInit, {in.index, in.index2, sd, ss, sn});
    else
      start = emit(IOp::TableCopy, {in.index, in.index2, sd, ss, sn});
    mapSource(start);
    recordStop(start, {&n, &s, &d});
    forgetProducer();
    return;
  }
  case Op::DataDrop:
    emit(IOp::DataDrop, {in.index});
    forgetProducer();
    return;
  case Op::ElemDrop:
    emit(IOp::ElemDrop, {in.index});
    forgetProducer();
    return;
  case Op::TableGrow: {
    Entry n = pop();
    Entry init = pop();
    uint64_t sn = readSlot(n), si = readSlot(init);
    uint32_t dst = nextHome();
    size_t start = emit(IOp::TableGrow, {dst, in.index, si, sn});
    recordStop(start, {&n, &init});
    produce(start, ValType::I32);
    return;
  }
  case Op::TableSize: {
    uint32_t dst = nextHome();
    size_t start = emit(IOp::TableSize, {dst, in.index});
    produce(start, ValType::I32);
    return;
  }
  case Op::TableFill: {
    Entry n = pop();
    Entry v = pop();
    Entry i = pop();
    uint64_t sn = readSlot(n), sv = readSlot(v), si = readSlot(i);
    size_t start = emit(IOp::TableFill, {in.index, si, sv, sn});
    mapSource(start);
    recordStop(start, {&n, &v, &i});
    forgetProducer();
    return;
  }
  default:
    break;
  }

  LoadForms ld;
  if (loadForms(op, &ld)) {
    Entry addr = pop();
    uint32_t dst = nextHome();
    size_t start;
    if (producedByAddImm(addr) && !last_.in_local) {
      // Fold the address computation: base + imm (wrapping), then the offset.
      start = last_.start;
      uint64_t base = code_[start + 2], add = code_[start + 3];
      code_.resize(start);
      emit(ld.add_imm, {dst, base, add, in.mem_offset});
    } else if (producedLast(addr) && last_.op == Op::I32Add && !last_.imm) {
      // The same with two slots: base + index (wrapping), then the offset.
      start = last_.start;
      uint64_t base = code_[start + 2], index = code_[start + 3];
      code_.resize(start);
      emit(ld.add_slot, {dst, base, index, in.mem_offset});
    } else {
      uint64_t sa = readSlot(addr);
      start = emit(ld.slot, {dst, sa, in.mem_offset});
    }
    mapSource(start);
    produce(start, resultType(op));
    return;
  }
  StoreForms st;
  if (storeForms(op, &st)) {
    Entry v = pop();
    Entry addr = pop();
    bool imm_value = v.loc == Loc::Const && slotsOf(v.type) == 1;
    uint64_t value = imm_value ? v.imm : 0;
    size_t start;
    if (producedByAddImm(addr) && !last_.in_local && (v.loc == Loc::Local || imm_value)) {
      start = last_.start;
      uint64_t base = code_[start + 2], add = code_[start + 3];
      code_.resize(start);
      if (!imm_value) value = v.slot();
      emit(imm_value ? st.add_imm_imm : st.add_imm, {base, add, value, in.mem_offset});
    } else {
      if (!imm_value) value = readSlot(v);
      uint64_t sa = readSlot(addr);
      start = emit(imm_value ? st.slot_imm : st.slot, {sa, value, in.mem_offset});
    }
    mapSource(start);
    forgetProducer();
    return;
  }
  const OpInfo &info = opInfo(op);
  if (info.imm == ImmKind::None && !info.sig.irregular && info.sig.num_results == 1) {
    size_t np = info.sig.num_params;
    if (np == 1) {
      lowerUnary(op);
      return;
    }
    if (np == 2) {
      lowerBinary(op);
      return;
    }
  }
  // An instruction of the table without a lowering rule (a table row added
  // before its lowering): an error, not silently missing code.
  missing_rule_ = true;
}

Result<LoweredCode> Lowerer::run() {
  // Frame layout: params then declared locals, each at a fixed byte offset.
  uint32_t slot = 0;
  for (ValType t : type_.params) {
    local_slot_.push_back(slot * kSlotBytes);
    local_type_.push_back(t);
    slot += slotsOf(t);
  }
  // The decoder caps declared locals (binary/decoder.cpp kMaxLocals).
  for (const ir::LocalGroup &g : body_.locals) {
    for (uint32_t i = 0; i < g.count; ++i) {
      local_slot_.push_back(slot * kSlotBytes);
      local_type_.push_back(g.type);
      slot += slotsOf(g.type);
    }
  }
  temp_base_ = slot * kSlotBytes;
  max_end_ = temp_base_;

  known_zero_.assign(local_slot_.size(), true);
  std::fill(known_zero_.begin(), known_zero_.begin() + type_.params.size(), false);

  Ctrl func;
  func.kind = CtrlKind::Func;
  func.results = type_.results;
  func.height = 0;
  func.label_home = temp_base_;
  ctrl_.push_back(std::move(func));
  startFuelBlock();

  binary::InstrReader reader(m_.bytes, body_.code_begin, body_.code_end);
  Instr in;
  uint32_t skip_depth = 0; // nesting inside unreachable code
  while (!done_ && !reader.atEnd()) {
    HALTER_TRY(reader.next(in));
    offset_ = in.offset;
    if (ctrl_.back().unreachable) {
      if (in.op == Op::Block || in.op == Op::Loop || in.op == Op::If) {
        ++skip_depth;
        continue;
      }
      if (skip_depth > 0) {
        if (in.op == Op::End) --skip_depth;
        continue;
      }
      if (in.op != Op::End && in.op != Op::Else) continue;
    }
    // Charged to the block the instruction starts in (else and end start a
    // new block and cost nothing themselves).
    chargeFuel(in.op);
    lowerInstr(in);
    if (missing_rule_) {
      return makeError(ErrorCode::Internal, in.offset,
                       std::string("no lowering rule for ") + opName(in.op));
    }
  }
  if (!done_) return makeError(ErrorCode::Internal, body_.offset, "function body ended early");

  uint32_t result_slots = slotsOf(type_.results);
  uint32_t frame_slots = max_end_ / kSlotBytes;
  if (frame_slots < result_slots) frame_slots = result_slots;
  out_.frame_slots = frame_slots;
  if (metered_ && !code_.empty() && code_[0] == uint64_t(IOp::Fuel)) {
    out_.entry_fuel = static_cast<uint32_t>(code_[1]);
    out_.entry_offset = kIOpWords[size_t(IOp::Fuel)];
  }
  // No peephole removes a stop point's instruction (each forgets the
  // producer): a point that moved would resume in the wrong place.
  if (stops_ != nullptr) {
    for (const StopPoint &p : *stops_) {
      if (p.at >= code_.size() || code_[p.at] != uint64_t(p.op))
        return makeError(ErrorCode::Internal, body_.offset, "a stop point was rewritten");
    }
  }
  out_.code = std::move(code_);
  return std::move(out_);
}

} // namespace

void describeFrame(const ir::Module &module, uint32_t defined_index, CompiledFunction &fn) {
  const FuncType &type = module.types[module.functions[defined_index]];
  fn.num_param_slots = slotsOf(type.params);
  uint32_t locals = fn.num_param_slots;
  for (const ir::LocalGroup &g : module.codes[defined_index].locals)
    locals += g.count * slotsOf(g.type);
  fn.num_local_slots = locals;
  fn.num_result_slots = slotsOf(type.results);
}

bool isStopPoint(IOp op) {
  switch (op) {
  case IOp::Fuel:
  case IOp::Call:
  case IOp::CallLocal:
  case IOp::CallIndirect:
  case IOp::MemoryGrow:
  case IOp::MemoryFill:
  case IOp::MemoryCopy:
  case IOp::MemoryInit:
  case IOp::TableGrow:
  case IOp::TableFill:
  case IOp::TableCopy:
  case IOp::TableInit:
    return true;
  default:
    return false;
  }
}

Result<LoweredCode> lowerFunction(const ir::Module &module, uint32_t defined_index, Form form,
                                  std::vector<StopPoint> *stops) {
  if (stops != nullptr) stops->clear();
  return Lowerer(module, defined_index, form == Form::Metered, stops).run();
}

Result<std::vector<LoweredCode>> lowerModule(const ir::Module &module, Form form) {
  std::vector<LoweredCode> out;
  out.reserve(module.codes.size());
  for (uint32_t i = 0; i < module.codes.size() && i < module.functions.size(); ++i) {
    HALTER_ASSIGN_OR_RETURN(LoweredCode code, lowerFunction(module, i, form));
    out.push_back(std::move(code));
  }
  return out;
}

} // namespace halter::compile
