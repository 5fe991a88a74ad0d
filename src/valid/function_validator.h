// Validation of one function body: the spec's operand-stack and control-stack
// algorithm (appendix "Validation Algorithm"), with an Unknown operand type for
// unreachable code. One validator is reused for every body of a module so the
// stacks are allocated once.
#pragma once

#include "binary/instr_reader.h"
#include "halter/result.h"
#include "ir/module.h"

#include <cstdint>
#include <string>
#include <vector>

namespace halter::valid {

// The type of an operand in unreachable code: it matches every type.
inline constexpr ValType kUnknownType = static_cast<ValType>(0);

class FunctionValidator {
public:
  // `declared_funcs[i]` says whether function i may be named by `ref.func`
  // (the spec's C.refs). Module-level checks (type indices of functions,
  // code/function counts) must have passed before `validate` is called.
  FunctionValidator(const ir::Module &module, const std::vector<bool> &declared_funcs);

  // Validates the body of defined function `defined_index` (imports excluded).
  Result<void> validate(uint32_t defined_index);

private:
  struct TypeList {
    const ValType *data = nullptr;
    uint32_t size = 0;
  };
  struct Frame {
    Op kind = Op::Block; // Block (also the function itself), Loop, If or Else
    TypeList params;
    TypeList results;
    uint32_t height = 0;
    bool unreachable = false;
  };

  bool step();
  bool stepByTable();
  bool checkImmediates();

  void setupLocals(const FuncType &type, const ir::FunctionBody &body);
  bool localType(uint32_t index, ValType &out) const;

  void push(ValType type) { vals_.push_back(type); }
  void pushList(TypeList list);
  bool popAny(ValType &out, ValType expect);
  bool pop(ValType expect);
  bool popList(TypeList list);
  bool checkStackMatches(TypeList list); // br_table: types at the top, not popped
  void pushFrame(Op kind, TypeList params, TypeList results);
  bool popFrame(Frame &out);
  void setUnreachable();
  bool label(uint32_t depth, TypeList &out);
  bool blockType(TypeList &params, TypeList &results);

  bool checkMemory(uint32_t index);
  bool checkTable(uint32_t index);
  bool checkData(uint32_t index);
  bool checkElem(uint32_t index);
  bool checkFunc(uint32_t index);

  bool fail(ErrorCode code, std::string message);
  bool mismatch(ValType expected, ValType actual);
  std::string context() const; // "in i32.add"

  const ir::Module &module_;
  const std::vector<bool> &declared_funcs_;

  binary::Instr instr_;
  std::vector<ValType> vals_;
  std::vector<Frame> ctrls_;
  TypeList func_results_;

  // Types of params and locals, expanded when the count is modest; huge local
  // counts are looked up in the encoded groups instead (no allocation per local).
  std::vector<ValType> local_types_;
  std::vector<uint64_t> group_ends_; // cumulative local index one past each group
  std::vector<ValType> group_types_;
  uint64_t num_locals_ = 0;

  Error error_;
};

} // namespace halter::valid
