#include "valid/function_validator.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace halter::valid {
namespace {

// Stable one-element lists for `[] -> [t]` block types.
constexpr ValType kSingleTypes[] = {ValType::I32,      ValType::I64,  ValType::F32,
                                    ValType::F64,      ValType::V128, ValType::FuncRef,
                                    ValType::ExternRef};

// log2 of the access width of a load or store: its natural alignment.
uint32_t naturalAlignment(Op op) {
  return static_cast<uint32_t>(std::countr_zero(opInfo(op).access_bytes));
}

bool isNumOrUnknown(ValType t) {
  return t == kUnknownType || isNumType(t);
}
bool isVecOrUnknown(ValType t) {
  return t == kUnknownType || t == ValType::V128;
}

constexpr uint64_t kMaxExpandedLocals = 1u << 16;
constexpr size_t kMaxOperandStack = 1u << 20;

} // namespace

FunctionValidator::FunctionValidator(const ir::Module &module,
                                     const std::vector<bool> &declared_funcs)
    : module_(module), declared_funcs_(declared_funcs) {
  vals_.reserve(64);
  ctrls_.reserve(16);
}

Result<void> FunctionValidator::validate(uint32_t defined_index) {
  const ir::FunctionBody &body = module_.codes[defined_index];
  const FuncType &type = module_.types[module_.functions[defined_index]];
  setupLocals(type, body);
  func_results_ = TypeList{type.results.data(), uint32_t(type.results.size())};

  vals_.clear();
  ctrls_.clear();
  pushFrame(Op::Block, TypeList{}, func_results_);

  binary::InstrReader reader(module_.bytes, body.code_begin, body.code_end);
  while (!reader.atEnd()) {
    Result<void> read = reader.next(instr_);
    if (!read.ok()) return std::move(read).error();
    if (ctrls_.empty()) {
      return makeError(ErrorCode::Malformed, instr_.offset,
                       "instructions after the end of the function body");
    }
    if (!step()) return std::move(error_);
    // One instruction pushes at most one parameter or result list (bounded by
    // the type limits), so checking here keeps the stack's size bounded.
    if (vals_.size() > kMaxOperandStack) {
      return makeError(ErrorCode::ImplementationLimit, instr_.offset,
                       "operand stack deeper than " + std::to_string(kMaxOperandStack) + " values");
    }
  }
  if (!ctrls_.empty()) {
    return makeError(ErrorCode::Malformed, body.code_end,
                     "function body does not end with the end instruction");
  }
  return okResult();
}

void FunctionValidator::setupLocals(const FuncType &type, const ir::FunctionBody &body) {
  local_types_.assign(type.params.begin(), type.params.end());
  group_ends_.clear();
  group_types_.clear();
  num_locals_ = type.params.size() + body.total_locals;
  if (body.total_locals <= kMaxExpandedLocals) {
    for (const ir::LocalGroup &g : body.locals)
      local_types_.insert(local_types_.end(), g.count, g.type);
    return;
  }
  uint64_t end = type.params.size();
  for (const ir::LocalGroup &g : body.locals) {
    if (g.count == 0) continue;
    end += g.count;
    group_ends_.push_back(end);
    group_types_.push_back(g.type);
  }
}

bool FunctionValidator::localType(uint32_t index, ValType &out) const {
  if (index < local_types_.size()) {
    out = local_types_[index];
    return true;
  }
  if (index >= num_locals_ || group_ends_.empty()) return false;
  auto it = std::upper_bound(group_ends_.begin(), group_ends_.end(), uint64_t(index));
  if (it == group_ends_.end()) return false;
  out = group_types_[size_t(it - group_ends_.begin())];
  return true;
}

std::string FunctionValidator::context() const {
  return std::string("in ") + opName(instr_.op);
}

bool FunctionValidator::fail(ErrorCode code, std::string message) {
  error_ = makeError(code, instr_.offset, std::move(message));
  return false;
}

bool FunctionValidator::mismatch(ValType expected, ValType actual) {
  return fail(ErrorCode::TypeMismatch, "type mismatch " + context() + ": expected " +
                                           valTypeName(expected) + ", got " + valTypeName(actual));
}

void FunctionValidator::pushList(TypeList list) {
  vals_.insert(vals_.end(), list.data, list.data + list.size);
}

bool FunctionValidator::popAny(ValType &out, ValType expect) {
  const Frame &frame = ctrls_.back();
  if (vals_.size() == frame.height) {
    if (frame.unreachable) {
      out = kUnknownType;
      return true;
    }
    std::string want = expect == kUnknownType ? "a value" : valTypeName(expect);
    return fail(ErrorCode::TypeMismatch,
                "type mismatch " + context() + ": expected " + want + ", got nothing");
  }
  out = vals_.back();
  vals_.pop_back();
  return true;
}

bool FunctionValidator::pop(ValType expect) {
  ValType actual;
  if (!popAny(actual, expect)) return false;
  if (actual != expect && actual != kUnknownType && expect != kUnknownType) {
    return mismatch(expect, actual);
  }
  return true;
}

bool FunctionValidator::popList(TypeList list) {
  for (uint32_t i = list.size; i > 0; --i) {
    if (!pop(list.data[i - 1])) return false;
  }
  return true;
}

bool FunctionValidator::checkStackMatches(TypeList list) {
  // Same outcome as the spec's push_vals(pop_vals(list)): positions below the
  // frame's height are Unknown when unreachable and an error otherwise.
  const Frame &frame = ctrls_.back();
  size_t available = vals_.size() - frame.height;
  for (uint32_t i = 0; i < list.size; ++i) {
    uint32_t from_top = list.size - i; // 1 = top of stack
    ValType expect = list.data[i];
    if (from_top > available) {
      if (frame.unreachable) continue;
      return fail(ErrorCode::TypeMismatch, "type mismatch " + context() + ": expected " +
                                               valTypeName(expect) + ", got nothing");
    }
    ValType actual = vals_[vals_.size() - from_top];
    if (actual != expect && actual != kUnknownType) return mismatch(expect, actual);
  }
  return true;
}

void FunctionValidator::pushFrame(Op kind, TypeList params, TypeList results) {
  ctrls_.push_back(Frame{kind, params, results, uint32_t(vals_.size()), false});
  pushList(params);
}

bool FunctionValidator::popFrame(Frame &out) {
  const Frame &frame = ctrls_.back();
  if (!popList(frame.results)) return false;
  if (vals_.size() != frame.height) {
    return fail(ErrorCode::TypeMismatch, "type mismatch " + context() + ": " +
                                             std::to_string(vals_.size() - frame.height) +
                                             " value(s) left on the stack at the end of the block");
  }
  out = frame;
  ctrls_.pop_back();
  return true;
}

void FunctionValidator::setUnreachable() {
  Frame &frame = ctrls_.back();
  vals_.resize(frame.height);
  frame.unreachable = true;
}

bool FunctionValidator::label(uint32_t depth, TypeList &out) {
  if (depth >= ctrls_.size())
    return fail(ErrorCode::UnknownIndex, "unknown label " + std::to_string(depth));
  const Frame &frame = ctrls_[ctrls_.size() - 1 - depth];
  out = frame.kind == Op::Loop ? frame.params : frame.results;
  return true;
}

bool FunctionValidator::blockType(TypeList &params, TypeList &results) {
  const binary::BlockType &bt = instr_.block;
  params = TypeList{};
  results = TypeList{};
  switch (bt.kind) {
  case binary::BlockType::Kind::Empty:
    return true;
  case binary::BlockType::Kind::Value:
    for (const ValType &t : kSingleTypes) {
      if (t == bt.value) {
        results = TypeList{&t, 1};
        return true;
      }
    }
    return fail(ErrorCode::Invalid, "invalid block type " + context());
  case binary::BlockType::Kind::TypeIndex: {
    if (bt.type_index >= module_.types.size()) {
      return fail(ErrorCode::UnknownIndex, "unknown type " + std::to_string(bt.type_index));
    }
    const FuncType &ft = module_.types[bt.type_index];
    params = TypeList{ft.params.data(), uint32_t(ft.params.size())};
    results = TypeList{ft.results.data(), uint32_t(ft.results.size())};
    return true;
  }
  }
  return true;
}

bool FunctionValidator::checkMemory(uint32_t index) {
  if (index >= module_.numMemories()) {
    return fail(ErrorCode::UnknownIndex, "unknown memory " + std::to_string(index));
  }
  return true;
}

bool FunctionValidator::checkTable(uint32_t index) {
  if (index >= module_.numTables()) {
    return fail(ErrorCode::UnknownIndex, "unknown table " + std::to_string(index));
  }
  return true;
}

bool FunctionValidator::checkData(uint32_t index) {
  // The decoder guarantees a data count section when these instructions occur;
  // without one there is nothing to check the index against.
  if (!module_.data_count || index >= *module_.data_count) {
    return fail(ErrorCode::UnknownIndex, "unknown data segment " + std::to_string(index));
  }
  return true;
}

bool FunctionValidator::checkElem(uint32_t index) {
  if (index >= module_.elems.size()) {
    return fail(ErrorCode::UnknownIndex, "unknown elem segment " + std::to_string(index));
  }
  return true;
}

bool FunctionValidator::checkFunc(uint32_t index) {
  if (index >= module_.numFuncs()) {
    return fail(ErrorCode::UnknownIndex, "unknown function " + std::to_string(index));
  }
  return true;
}

bool FunctionValidator::checkImmediates() {
  switch (opInfo(instr_.op).imm) {
  case ImmKind::MemArg:
    if (!checkMemory(0)) return false;
    if (instr_.align > naturalAlignment(instr_.op)) {
      return fail(ErrorCode::Invalid, "alignment must not be larger than natural " + context());
    }
    return true;
  case ImmKind::MemIdx:
  case ImmKind::MemoryCopy:
    return checkMemory(0);
  case ImmKind::MemoryInit:
    return checkMemory(0) && checkData(instr_.index);
  case ImmKind::Data:
    return checkData(instr_.index);
  case ImmKind::Elem:
    return checkElem(instr_.index);
  case ImmKind::Table:
    return checkTable(instr_.index);
  case ImmKind::TableInit:
    if (!checkTable(instr_.index2) || !checkElem(instr_.index)) return false;
    if (module_.elems[instr_.index].elem_type != module_.tableType(instr_.index2).elem) {
      return fail(ErrorCode::TypeMismatch,
                  "type mismatch " + context() + ": element segment type differs from table type");
    }
    return true;
  case ImmKind::TableCopy:
    if (!checkTable(instr_.index) || !checkTable(instr_.index2)) return false;
    if (module_.tableType(instr_.index).elem != module_.tableType(instr_.index2).elem) {
      return fail(ErrorCode::TypeMismatch,
                  "type mismatch " + context() + ": tables have different element types");
    }
    return true;
  default:
    return true;
  }
}

bool FunctionValidator::stepByTable() {
  const OpSignature &sig = opInfo(instr_.op).sig;
  if (!checkImmediates()) return false;
  if (!popList(TypeList{sig.params, sig.num_params})) return false;
  pushList(TypeList{sig.results, sig.num_results});
  return true;
}

bool FunctionValidator::step() {
  const Op op = instr_.op;
  if (!opInfo(op).sig.irregular) return stepByTable();

  switch (op) {
  case Op::Unreachable:
    setUnreachable();
    return true;

  case Op::Block:
  case Op::Loop:
  case Op::If: {
    TypeList params, results;
    if (!blockType(params, results)) return false;
    if (op == Op::If && !pop(ValType::I32)) return false;
    if (!popList(params)) return false;
    pushFrame(op, params, results);
    return true;
  }

  case Op::Else: {
    if (ctrls_.back().kind != Op::If) {
      return fail(ErrorCode::Malformed, "else without a matching if");
    }
    Frame frame;
    if (!popFrame(frame)) return false;
    pushFrame(Op::Else, frame.params, frame.results);
    return true;
  }

  case Op::End: {
    Frame frame;
    if (!popFrame(frame)) return false;
    if (frame.kind == Op::If &&
        !std::equal(frame.params.data, frame.params.data + frame.params.size, frame.results.data,
                    frame.results.data + frame.results.size)) {
      return fail(ErrorCode::TypeMismatch,
                  "type mismatch in if without else: the block's parameters and results differ");
    }
    if (!ctrls_.empty()) pushList(frame.results);
    return true;
  }

  case Op::Br: {
    TypeList types;
    if (!label(instr_.index, types) || !popList(types)) return false;
    setUnreachable();
    return true;
  }

  case Op::BrIf: {
    TypeList types;
    if (!label(instr_.index, types) || !pop(ValType::I32) || !popList(types)) return false;
    pushList(types);
    return true;
  }

  case Op::BrTable: {
    if (instr_.labels.empty())
      return fail(ErrorCode::Malformed, "br_table without a default label");
    if (!pop(ValType::I32)) return false;
    TypeList default_types;
    if (!label(instr_.labels.back(), default_types)) return false;
    for (size_t i = 0; i + 1 < instr_.labels.size(); ++i) {
      TypeList types;
      if (!label(instr_.labels[i], types)) return false;
      if (types.size != default_types.size) {
        return fail(ErrorCode::TypeMismatch,
                    "type mismatch in br_table: label " + std::to_string(instr_.labels[i]) +
                        " has arity " + std::to_string(types.size) + ", the default label " +
                        std::to_string(default_types.size));
      }
      if (!checkStackMatches(types)) return false;
    }
    if (!popList(default_types)) return false;
    setUnreachable();
    return true;
  }

  case Op::Return:
    if (!popList(func_results_)) return false;
    setUnreachable();
    return true;

  case Op::Call: {
    if (!checkFunc(instr_.index)) return false;
    const FuncType &ft = module_.funcType(instr_.index);
    if (!popList(TypeList{ft.params.data(), uint32_t(ft.params.size())})) return false;
    pushList(TypeList{ft.results.data(), uint32_t(ft.results.size())});
    return true;
  }

  case Op::CallIndirect: {
    if (!checkTable(instr_.index2)) return false;
    if (module_.tableType(instr_.index2).elem != ValType::FuncRef) {
      return fail(ErrorCode::TypeMismatch, "type mismatch in call_indirect: table " +
                                               std::to_string(instr_.index2) +
                                               " does not hold funcref");
    }
    if (instr_.index >= module_.types.size()) {
      return fail(ErrorCode::UnknownIndex, "unknown type " + std::to_string(instr_.index));
    }
    const FuncType &ft = module_.types[instr_.index];
    if (!pop(ValType::I32)) return false;
    if (!popList(TypeList{ft.params.data(), uint32_t(ft.params.size())})) return false;
    pushList(TypeList{ft.results.data(), uint32_t(ft.results.size())});
    return true;
  }

  case Op::Drop: {
    ValType ignored;
    return popAny(ignored, kUnknownType);
  }

  case Op::Select: {
    if (!pop(ValType::I32)) return false;
    ValType t1, t2;
    if (!popAny(t1, kUnknownType) || !popAny(t2, kUnknownType)) return false;
    if (!((isNumOrUnknown(t1) && isNumOrUnknown(t2)) ||
          (isVecOrUnknown(t1) && isVecOrUnknown(t2)))) {
      return fail(ErrorCode::TypeMismatch,
                  "type mismatch in select: operands without a type annotation must be numeric");
    }
    if (t1 != t2 && t1 != kUnknownType && t2 != kUnknownType) return mismatch(t1, t2);
    push(t1 == kUnknownType ? t2 : t1);
    return true;
  }

  case Op::SelectT:
    if (instr_.index != 1) {
      return fail(ErrorCode::Invalid, "invalid result arity: select takes exactly one type, got " +
                                          std::to_string(instr_.index));
    }
    if (!pop(ValType::I32) || !pop(instr_.type) || !pop(instr_.type)) return false;
    push(instr_.type);
    return true;

  case Op::LocalGet:
  case Op::LocalSet:
  case Op::LocalTee: {
    ValType type;
    if (!localType(instr_.index, type)) {
      return fail(ErrorCode::UnknownIndex, "unknown local " + std::to_string(instr_.index));
    }
    if (op != Op::LocalGet && !pop(type)) return false;
    if (op != Op::LocalSet) push(type);
    return true;
  }

  case Op::GlobalGet:
  case Op::GlobalSet: {
    if (instr_.index >= module_.numGlobals()) {
      return fail(ErrorCode::UnknownIndex, "unknown global " + std::to_string(instr_.index));
    }
    const GlobalType &gt = module_.globalType(instr_.index);
    if (op == Op::GlobalGet) {
      push(gt.type);
      return true;
    }
    if (!gt.is_mutable) {
      return fail(ErrorCode::Invalid,
                  "global is immutable: global.set " + std::to_string(instr_.index));
    }
    return pop(gt.type);
  }

  case Op::TableGet:
  case Op::TableSet:
  case Op::TableGrow:
  case Op::TableFill: {
    if (!checkTable(instr_.index)) return false;
    const ValType elem = module_.tableType(instr_.index).elem;
    switch (op) {
    case Op::TableGet:
      if (!pop(ValType::I32)) return false;
      push(elem);
      return true;
    case Op::TableSet:
      return pop(elem) && pop(ValType::I32);
    case Op::TableGrow:
      if (!pop(ValType::I32) || !pop(elem)) return false;
      push(ValType::I32);
      return true;
    default:
      return pop(ValType::I32) && pop(elem) && pop(ValType::I32);
    }
  }

  case Op::RefNull:
    push(instr_.type);
    return true;

  case Op::RefIsNull: {
    ValType t;
    if (!popAny(t, kUnknownType)) return false;
    if (t != kUnknownType && !isRefType(t)) {
      return fail(ErrorCode::TypeMismatch,
                  "type mismatch in ref.is_null: expected a reference, got " +
                      std::string(valTypeName(t)));
    }
    push(ValType::I32);
    return true;
  }

  case Op::RefFunc:
    if (!checkFunc(instr_.index)) return false;
    if (!declared_funcs_[instr_.index]) {
      return fail(ErrorCode::Invalid, "undeclared function reference " +
                                          std::to_string(instr_.index) +
                                          " (ref.func needs the function in an element segment, "
                                          "export or global initialiser)");
    }
    push(ValType::FuncRef);
    return true;

  default:
    return fail(ErrorCode::Internal, std::string("no typing rule for ") + opName(op));
  }
}

} // namespace halter::valid
