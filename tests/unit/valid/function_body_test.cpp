// Typing of function bodies: operand stack, control frames, unreachable code.
#include "test_module.h"

namespace halter::valid::test {
namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
constexpr ValType F32 = ValType::F32;
constexpr ValType F64 = ValType::F64;

TEST(FunctionBody, AcceptsWellTypedArithmetic) {
  TestModule tm;
  uint32_t t = tm.type({I32, I32}, {I32});
  tm.func(t, Code().op(Op::LocalGet).u(0).op(Op::LocalGet).u(1).op(Op::I32Add).end());
  EXPECT_VALID(tm);
}

TEST(FunctionBody, ReportsOperandTypeMismatchAtTheInstruction) {
  TestModule tm;
  uint32_t t = tm.type({}, {});
  Code c;
  c.i32(1).f64();
  size_t add_at = c.bytes.size();
  c.op(Op::I32Add).op(Op::Drop).end();
  tm.func(t, c);
  Error e = failure(tm);
  EXPECT_EQ(e.code, ErrorCode::TypeMismatch);
  EXPECT_EQ(e.offset, tm.at(add_at));
  EXPECT_EQ(e.message, "type mismatch in i32.add: expected i32, got f64");
}

TEST(FunctionBody, RejectsStackUnderflow) {
  TestModule tm;
  tm.func(tm.type({}, {}), Code().i32(1).op(Op::I32Add).op(Op::Drop).end());
  EXPECT_EQ(failure(tm).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, ChecksFunctionResults) {
  TestModule missing;
  missing.func(missing.type({}, {I32}), Code().end());
  EXPECT_EQ(failure(missing).code, ErrorCode::TypeMismatch);

  TestModule extra;
  extra.func(extra.type({}, {I32}), Code().i32(1).i32(2).end());
  EXPECT_EQ(failure(extra).code, ErrorCode::TypeMismatch);

  TestModule wrong;
  wrong.func(wrong.type({}, {I32}), Code().i64(1).end());
  EXPECT_EQ(failure(wrong).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, TableDrivenSignaturesCoverConversionsAndStores) {
  TestModule tm;
  tm.memory();
  tm.func(tm.type({}, {F64}),
          Code().i32(0).i64(5).op(Op::I64Store).mem(3).i32(7).op(Op::F64ConvertI32U).end());
  EXPECT_VALID(tm);

  TestModule bad;
  bad.memory();
  bad.func(bad.type({}, {}), Code().i32(0).i32(5).op(Op::I64Store).mem(3).end());
  EXPECT_EQ(failure(bad).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, UnreachableCodeIsPolymorphic) {
  TestModule tm;
  tm.func(tm.type({}, {I32}),
          Code().op(Op::Unreachable).op(Op::I32Add).op(Op::Drop).op(Op::I64Eqz).end());
  EXPECT_VALID(tm);

  // Values pushed after `unreachable` are real and still typed.
  TestModule bad;
  bad.func(bad.type({}, {}), Code().op(Op::Unreachable).f32().op(Op::I32Add).op(Op::Drop).end());
  EXPECT_EQ(failure(bad).code, ErrorCode::TypeMismatch);

  TestModule leftover;
  leftover.func(leftover.type({}, {}), Code().op(Op::Unreachable).i32(0).end());
  EXPECT_EQ(failure(leftover).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, MultiValueBlockTypes) {
  TestModule tm;
  uint32_t pair_to_one = tm.type({I32, I32}, {I32});
  uint32_t f = tm.type({}, {I32});
  tm.func(f, Code().i32(1).i32(2).op(Op::Block).s(pair_to_one).op(Op::I32Add).end().end());
  EXPECT_VALID(tm);

  TestModule missing_param;
  pair_to_one = missing_param.type({I32, I32}, {I32});
  missing_param.func(missing_param.type({}, {I32}),
                     Code().i32(1).op(Op::Block).s(pair_to_one).op(Op::I32Add).end().end());
  EXPECT_EQ(failure(missing_param).code, ErrorCode::TypeMismatch);

  TestModule unknown;
  unknown.func(unknown.type({}, {}), Code().op(Op::Block).s(7).end().end());
  Error e = failure(unknown);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown type 7");
}

TEST(FunctionBody, LoopLabelTakesTheParameters) {
  TestModule tm;
  uint32_t i32_to_none = tm.type({I32}, {});
  tm.func(tm.type({}, {}), Code().i32(1).op(Op::Loop).s(i32_to_none).op(Op::Br).u(0).end().end());
  EXPECT_VALID(tm);

  // `br 0` with an empty stack suits a loop of type [] -> [i32] (its label takes
  // no values) but not a block of that type (its label takes the i32).
  TestModule loop;
  loop.func(loop.type({}, {I32}), Code().op(Op::Loop).t(I32).op(Op::Br).u(0).end().end());
  EXPECT_VALID(loop);

  TestModule block;
  block.func(block.type({}, {I32}), Code().op(Op::Block).t(I32).op(Op::Br).u(0).end().end());
  EXPECT_EQ(failure(block).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, IfElseTyping) {
  TestModule tm;
  tm.func(tm.type({I32}, {I32}),
          Code().op(Op::LocalGet).u(0).op(Op::If).t(I32).i32(1).op(Op::Else).i32(2).end().end());
  EXPECT_VALID(tm);

  TestModule no_else; // `if (result i32)` without else cannot produce its result
  no_else.func(no_else.type({}, {I32}), Code().i32(1).op(Op::If).t(I32).i32(1).end().end());
  EXPECT_EQ(failure(no_else).code, ErrorCode::TypeMismatch);

  TestModule cond; // the condition must be i32
  cond.func(cond.type({}, {}), Code().i64(1).op(Op::If).b(0x40).end().end());
  EXPECT_EQ(failure(cond).code, ErrorCode::TypeMismatch);

  TestModule else_branch;
  else_branch.func(else_branch.type({}, {I32}),
                   Code().i32(1).op(Op::If).t(I32).i32(1).op(Op::Else).f32().end().end());
  EXPECT_EQ(failure(else_branch).code, ErrorCode::TypeMismatch);

  TestModule stray_else;
  stray_else.func(stray_else.type({}, {}), Code().op(Op::Block).b(0x40).op(Op::Else).end().end());
  EXPECT_EQ(failure(stray_else).code, ErrorCode::Malformed);
}

TEST(FunctionBody, IfWithoutElseMayPassParamsThrough) {
  TestModule tm;
  uint32_t same = tm.type({I32}, {I32});
  tm.func(tm.type({}, {I32}), Code().i32(5).i32(1).op(Op::If).s(same).end().end());
  EXPECT_VALID(tm);
}

TEST(FunctionBody, BranchesCheckLabelsAndOperands) {
  TestModule unknown;
  unknown.func(unknown.type({}, {}), Code().op(Op::Br).u(1).end());
  Error e = failure(unknown);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown label 1");

  TestModule br_if;
  br_if.func(br_if.type({}, {I32}),
             Code().op(Op::Block).t(I32).i32(1).i32(0).op(Op::BrIf).u(0).end().end());
  EXPECT_VALID(br_if);

  TestModule br_if_bad; // br_if leaves the label's values; an f32 is not the i32 needed
  br_if_bad.func(br_if_bad.type({}, {I32}),
                 Code().op(Op::Block).t(I32).f32().i32(0).op(Op::BrIf).u(0).end().end());
  EXPECT_EQ(failure(br_if_bad).code, ErrorCode::TypeMismatch);

  TestModule to_function; // br to the function's own label returns its results
  to_function.func(to_function.type({}, {I64}), Code().i64(3).op(Op::Br).u(0).end());
  EXPECT_VALID(to_function);
}

TEST(FunctionBody, BrTableArityAndTypes) {
  TestModule ok;
  ok.func(
      ok.type({}, {I32}),
      Code().op(Op::Block).t(I32).i32(1).i32(0).op(Op::BrTable).u(2).u(0).u(1).u(0).end().end());
  EXPECT_VALID(ok);

  TestModule arity;
  arity.func(arity.type({}, {}), Code()
                                     .op(Op::Block)
                                     .b(0x40)
                                     .op(Op::Block)
                                     .t(I32)
                                     .i32(1)
                                     .i32(0)
                                     .op(Op::BrTable)
                                     .u(1)
                                     .u(0)
                                     .u(1)
                                     .end()
                                     .op(Op::Drop)
                                     .end()
                                     .end());
  EXPECT_EQ(failure(arity).code, ErrorCode::TypeMismatch);

  // Unreachable: labels of different types but equal arity accept Unknown operands...
  TestModule unknown;
  unknown.func(unknown.type({}, {}), Code()
                                         .op(Op::Block)
                                         .t(F32)
                                         .op(Op::Block)
                                         .t(I32)
                                         .op(Op::Unreachable)
                                         .op(Op::BrTable)
                                         .u(1)
                                         .u(0)
                                         .u(1)
                                         .end()
                                         .op(Op::Drop)
                                         .f32()
                                         .end()
                                         .op(Op::Drop)
                                         .end());
  EXPECT_VALID(unknown);

  // ...but a concrete operand must suit every label.
  TestModule concrete;
  concrete.func(concrete.type({}, {}), Code()
                                           .op(Op::Block)
                                           .t(F32)
                                           .op(Op::Block)
                                           .t(I32)
                                           .op(Op::Unreachable)
                                           .f32()
                                           .op(Op::BrTable)
                                           .u(1)
                                           .u(0)
                                           .u(1)
                                           .end()
                                           .op(Op::Drop)
                                           .f32()
                                           .end()
                                           .op(Op::Drop)
                                           .end());
  Error e = failure(concrete);
  EXPECT_EQ(e.code, ErrorCode::TypeMismatch);
  EXPECT_EQ(e.message, "type mismatch in br_table: expected i32, got f32");
}

TEST(FunctionBody, ReturnChecksTheFunctionResults) {
  TestModule tm;
  tm.func(tm.type({}, {I32}),
          Code().op(Op::Block).b(0x40).i32(1).op(Op::Return).end().i32(2).end());
  EXPECT_VALID(tm);

  TestModule bad;
  bad.func(bad.type({}, {I32}), Code().f32().op(Op::Return).end());
  EXPECT_EQ(failure(bad).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, CallUsesTheCalleeType) {
  TestModule tm;
  uint32_t t = tm.type({I32, I64}, {F32});
  uint32_t callee = tm.importFunc(t);
  tm.func(tm.type({}, {F32}), Code().i32(1).i64(2).op(Op::Call).u(callee).end());
  EXPECT_VALID(tm);

  TestModule swapped;
  t = swapped.type({I32, I64}, {F32});
  callee = swapped.importFunc(t);
  swapped.func(swapped.type({}, {F32}), Code().i64(2).i32(1).op(Op::Call).u(callee).end());
  EXPECT_EQ(failure(swapped).code, ErrorCode::TypeMismatch);

  TestModule unknown;
  unknown.func(unknown.type({}, {}), Code().op(Op::Call).u(9).end());
  Error e = failure(unknown);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown function 9");
}

TEST(FunctionBody, CallIndirectNeedsAFuncrefTableAndAType) {
  TestModule tm;
  uint32_t t = tm.type({I32}, {I32});
  tm.table(ValType::FuncRef);
  tm.func(t, Code().op(Op::LocalGet).u(0).i32(0).op(Op::CallIndirect).u(t).u(0).end());
  EXPECT_VALID(tm);

  TestModule no_table;
  t = no_table.type({}, {});
  no_table.func(t, Code().i32(0).op(Op::CallIndirect).u(t).u(0).end());
  EXPECT_EQ(failure(no_table).code, ErrorCode::UnknownIndex);

  TestModule extern_table;
  t = extern_table.type({}, {});
  extern_table.table(ValType::ExternRef);
  extern_table.func(t, Code().i32(0).op(Op::CallIndirect).u(t).u(0).end());
  EXPECT_EQ(failure(extern_table).code, ErrorCode::TypeMismatch);

  TestModule bad_type;
  t = bad_type.type({}, {});
  bad_type.table(ValType::FuncRef);
  bad_type.func(t, Code().i32(0).op(Op::CallIndirect).u(4).u(0).end());
  EXPECT_EQ(failure(bad_type).code, ErrorCode::UnknownIndex);
}

TEST(FunctionBody, UntypedSelectOnlyForNumbersAndVectors) {
  TestModule tm;
  tm.func(tm.type({}, {F64}), Code().f64().f64().i32(1).op(Op::Select).end());
  EXPECT_VALID(tm);

  TestModule refs;
  refs.func(refs.type({}, {}), Code()
                                   .op(Op::RefNull)
                                   .t(ValType::FuncRef)
                                   .op(Op::RefNull)
                                   .t(ValType::FuncRef)
                                   .i32(1)
                                   .op(Op::Select)
                                   .op(Op::Drop)
                                   .end());
  EXPECT_EQ(failure(refs).code, ErrorCode::TypeMismatch);

  TestModule mixed;
  mixed.func(mixed.type({}, {}), Code().i32(1).i64(1).i32(1).op(Op::Select).op(Op::Drop).end());
  EXPECT_EQ(failure(mixed).code, ErrorCode::TypeMismatch);

  TestModule vec; // v128 locals are fine and untyped select takes them
  vec.func(vec.type({}, {}),
           Code()
               .op(Op::LocalGet)
               .u(0)
               .op(Op::LocalGet)
               .u(0)
               .i32(0)
               .op(Op::Select)
               .op(Op::LocalSet)
               .u(0)
               .end(),
           {{1, ValType::V128}});
  EXPECT_VALID(vec);

  TestModule unreachable_ref; // Unknown with a reference is still not numeric
  unreachable_ref.func(unreachable_ref.type({}, {}), Code()
                                                         .op(Op::Unreachable)
                                                         .op(Op::RefNull)
                                                         .t(ValType::ExternRef)
                                                         .i32(1)
                                                         .op(Op::Select)
                                                         .op(Op::Drop)
                                                         .end());
  EXPECT_EQ(failure(unreachable_ref).code, ErrorCode::TypeMismatch);

  TestModule unreachable_num;
  unreachable_num.func(unreachable_num.type({}, {I32}),
                       Code().op(Op::Unreachable).op(Op::Select).end());
  EXPECT_VALID(unreachable_num);
}

TEST(FunctionBody, TypedSelect) {
  TestModule tm;
  tm.func(tm.type({}, {ValType::ExternRef}), Code()
                                                 .op(Op::RefNull)
                                                 .t(ValType::ExternRef)
                                                 .op(Op::RefNull)
                                                 .t(ValType::ExternRef)
                                                 .i32(1)
                                                 .op(Op::SelectT)
                                                 .u(1)
                                                 .t(ValType::ExternRef)
                                                 .end());
  EXPECT_VALID(tm);

  TestModule wrong;
  wrong.func(wrong.type({}, {}),
             Code().i32(1).i32(1).i32(1).op(Op::SelectT).u(1).t(I64).op(Op::Drop).end());
  EXPECT_EQ(failure(wrong).code, ErrorCode::TypeMismatch);

  TestModule arity;
  arity.func(arity.type({}, {}),
             Code().i32(1).i32(1).i32(1).op(Op::SelectT).u(2).t(I32).t(I32).op(Op::Drop).end());
  EXPECT_EQ(failure(arity).code, ErrorCode::Invalid);
}

TEST(FunctionBody, LocalsCoverParamsThenDeclaredLocals) {
  TestModule tm;
  tm.func(tm.type({I32}, {I64}),
          Code()
              .op(Op::LocalGet)
              .u(2)
              .op(Op::LocalTee)
              .u(1)
              .op(Op::LocalSet)
              .u(2)
              .op(Op::LocalGet)
              .u(2)
              .end(),
          {{2, I64}});
  EXPECT_VALID(tm);

  TestModule out_of_range;
  out_of_range.func(out_of_range.type({I32}, {}), Code().op(Op::LocalGet).u(3).op(Op::Drop).end(),
                    {{2, I64}});
  Error e = failure(out_of_range);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown local 3");

  TestModule wrong;
  wrong.func(wrong.type({I32}, {}), Code().f32().op(Op::LocalSet).u(0).end());
  EXPECT_EQ(failure(wrong).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, HugeLocalCountsUseTheGroups) {
  TestModule tm;
  tm.func(tm.type({F32}, {}),
          Code()
              .op(Op::LocalGet)
              .u(3000000)
              .op(Op::I64Eqz)
              .op(Op::Drop)
              .op(Op::LocalGet)
              .u(5)
              .op(Op::F64Neg)
              .op(Op::Drop)
              .op(Op::LocalGet)
              .u(0)
              .op(Op::F32Neg)
              .op(Op::Drop)
              .end(),
          {{10, F64}, {0, I32}, {3000000, I64}});
  EXPECT_VALID(tm);

  TestModule beyond;
  beyond.func(beyond.type({F32}, {}), Code().op(Op::LocalGet).u(3000011).op(Op::Drop).end(),
              {{10, F64}, {3000000, I64}});
  EXPECT_EQ(failure(beyond).code, ErrorCode::UnknownIndex);
}

TEST(FunctionBody, GlobalsNeedIndexAndMutability) {
  TestModule tm;
  uint32_t g = tm.global(I32, true, constExpr({ci(Op::I32Const)}));
  tm.func(tm.type({}, {}), Code().op(Op::GlobalGet).u(g).op(Op::GlobalSet).u(g).end());
  EXPECT_VALID(tm);

  TestModule immutable;
  g = immutable.global(I32, false, constExpr({ci(Op::I32Const)}));
  immutable.func(immutable.type({}, {}), Code().i32(1).op(Op::GlobalSet).u(g).end());
  EXPECT_EQ(failure(immutable).code, ErrorCode::Invalid);

  TestModule unknown;
  unknown.func(unknown.type({}, {}), Code().op(Op::GlobalGet).u(0).op(Op::Drop).end());
  Error e = failure(unknown);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown global 0");

  TestModule wrong_type;
  g = wrong_type.importGlobal(F32, true);
  wrong_type.func(wrong_type.type({}, {}), Code().i32(1).op(Op::GlobalSet).u(g).end());
  EXPECT_EQ(failure(wrong_type).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, MemoryInstructionsNeedAMemoryAndNaturalAlignment) {
  TestModule no_memory;
  no_memory.func(no_memory.type({}, {I32}), Code().i32(0).op(Op::I32Load).mem(2).end());
  Error e = failure(no_memory);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown memory 0");

  TestModule size;
  size.func(size.type({}, {I32}), Code().op(Op::MemorySize).b(0).end());
  EXPECT_EQ(failure(size).code, ErrorCode::UnknownIndex);

  TestModule natural;
  natural.memory();
  natural.func(
      natural.type({}, {I64}),
      Code().i32(0).op(Op::I64Load32U).mem(2).i32(0).op(Op::I64Load8S).mem(0).op(Op::I64Add).end());
  EXPECT_VALID(natural);

  TestModule over;
  over.memory();
  over.func(over.type({}, {I32}), Code().i32(0).op(Op::I32Load16U).mem(2).end());
  e = failure(over);
  EXPECT_EQ(e.code, ErrorCode::Invalid);
  EXPECT_NE(e.message.find("alignment must not be larger than natural"), std::string::npos);

  TestModule grow;
  grow.memory();
  grow.func(grow.type({}, {I32}), Code().i32(1).op(Op::MemoryGrow).b(0).end());
  EXPECT_VALID(grow);
}

TEST(FunctionBody, BulkMemoryNeedsDataIndices) {
  TestModule tm;
  tm.memory();
  tm.m.data_count = 1;
  tm.m.datas.resize(1);
  tm.func(tm.type({}, {}), Code()
                               .i32(0)
                               .i32(0)
                               .i32(0)
                               .op(Op::MemoryInit)
                               .u(0)
                               .b(0)
                               .op(Op::DataDrop)
                               .u(0)
                               .i32(0)
                               .i32(0)
                               .i32(0)
                               .op(Op::MemoryCopy)
                               .b(0)
                               .b(0)
                               .i32(0)
                               .i32(0)
                               .i32(0)
                               .op(Op::MemoryFill)
                               .b(0)
                               .end());
  EXPECT_VALID(tm);

  TestModule bad_index;
  bad_index.memory();
  bad_index.m.data_count = 1;
  bad_index.m.datas.resize(1);
  bad_index.func(bad_index.type({}, {}), Code().op(Op::DataDrop).u(1).end());
  Error e = failure(bad_index);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown data segment 1");

  TestModule no_memory;
  no_memory.func(no_memory.type({}, {}), Code().i32(0).i32(0).i32(0).op(Op::MemoryFill).b(0).end());
  EXPECT_EQ(failure(no_memory).code, ErrorCode::UnknownIndex);

  TestModule operand;
  operand.memory();
  operand.func(operand.type({}, {}),
               Code().i32(0).i64(0).i32(0).op(Op::MemoryCopy).b(0).b(0).end());
  EXPECT_EQ(failure(operand).code, ErrorCode::TypeMismatch);
}

TEST(FunctionBody, TableInstructions) {
  TestModule tm;
  uint32_t funcs = tm.table(ValType::FuncRef);
  uint32_t externs = tm.table(ValType::ExternRef);
  tm.passiveElem(ValType::ExternRef);
  tm.func(tm.type({}, {}), Code()
                               .i32(0)
                               .op(Op::TableGet)
                               .u(externs)
                               .op(Op::Drop)
                               .i32(0)
                               .op(Op::RefNull)
                               .t(ValType::FuncRef)
                               .op(Op::TableSet)
                               .u(funcs)
                               .op(Op::RefNull)
                               .t(ValType::ExternRef)
                               .i32(2)
                               .op(Op::TableGrow)
                               .u(externs)
                               .op(Op::Drop)
                               .op(Op::TableSize)
                               .u(funcs)
                               .op(Op::Drop)
                               .i32(0)
                               .op(Op::RefNull)
                               .t(ValType::ExternRef)
                               .i32(0)
                               .op(Op::TableFill)
                               .u(externs)
                               .i32(0)
                               .i32(0)
                               .i32(0)
                               .op(Op::TableInit)
                               .u(0)
                               .u(externs)
                               .op(Op::ElemDrop)
                               .u(0)
                               .i32(0)
                               .i32(0)
                               .i32(0)
                               .op(Op::TableCopy)
                               .u(funcs)
                               .u(funcs)
                               .end());
  EXPECT_VALID(tm);

  TestModule set_wrong;
  set_wrong.table(ValType::FuncRef);
  set_wrong.func(set_wrong.type({}, {}),
                 Code().i32(0).op(Op::RefNull).t(ValType::ExternRef).op(Op::TableSet).u(0).end());
  EXPECT_EQ(failure(set_wrong).code, ErrorCode::TypeMismatch);

  TestModule copy;
  copy.table(ValType::FuncRef);
  copy.table(ValType::ExternRef);
  copy.func(copy.type({}, {}), Code().i32(0).i32(0).i32(0).op(Op::TableCopy).u(0).u(1).end());
  EXPECT_EQ(failure(copy).code, ErrorCode::TypeMismatch);

  TestModule init;
  init.table(ValType::FuncRef);
  init.passiveElem(ValType::ExternRef);
  init.func(init.type({}, {}), Code().i32(0).i32(0).i32(0).op(Op::TableInit).u(0).u(0).end());
  EXPECT_EQ(failure(init).code, ErrorCode::TypeMismatch);

  TestModule drop;
  drop.func(drop.type({}, {}), Code().op(Op::ElemDrop).u(0).end());
  Error e = failure(drop);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown elem segment 0");

  TestModule no_table;
  no_table.func(no_table.type({}, {}), Code().op(Op::TableSize).u(0).op(Op::Drop).end());
  e = failure(no_table);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown table 0");
}

TEST(FunctionBody, ReferenceInstructions) {
  TestModule tm;
  uint32_t t = tm.type({}, {ValType::FuncRef});
  uint32_t f = tm.func(t, Code().op(Op::RefFunc).u(0).end());
  tm.declare({f});
  tm.func(tm.type({}, {I32}), Code().op(Op::RefNull).t(ValType::ExternRef).op(Op::RefIsNull).end());
  EXPECT_VALID(tm);

  TestModule undeclared;
  undeclared.func(undeclared.type({}, {ValType::FuncRef}), Code().op(Op::RefFunc).u(0).end());
  EXPECT_EQ(failure(undeclared).code, ErrorCode::Invalid);

  TestModule exported; // an export declares the function too
  f = exported.func(exported.type({}, {ValType::FuncRef}), Code().op(Op::RefFunc).u(0).end());
  exported.exportItem("f", ExternKind::Func, f);
  EXPECT_VALID(exported);

  TestModule in_global;
  in_global.global(ValType::FuncRef, false, constExpr({ci(Op::RefFunc, 0)}));
  in_global.func(in_global.type({}, {ValType::FuncRef}), Code().op(Op::RefFunc).u(0).end());
  EXPECT_VALID(in_global);

  TestModule not_ref;
  not_ref.func(not_ref.type({}, {I32}), Code().i32(0).op(Op::RefIsNull).end());
  EXPECT_EQ(failure(not_ref).code, ErrorCode::TypeMismatch);

  TestModule unreachable;
  unreachable.func(unreachable.type({}, {I32}), Code().op(Op::Unreachable).op(Op::RefIsNull).end());
  EXPECT_VALID(unreachable);
}

TEST(FunctionBody, BodyMustEndExactlyAtItsFinalEnd) {
  TestModule trailing;
  trailing.func(trailing.type({}, {}), Code().end().op(Op::Nop));
  EXPECT_EQ(failure(trailing).code, ErrorCode::Malformed);

  TestModule unterminated;
  unterminated.func(unterminated.type({}, {}), Code().op(Op::Block).b(0x40).end());
  EXPECT_EQ(failure(unterminated).code, ErrorCode::Malformed);
}

TEST(FunctionBody, DecodeErrorsOfTheBodySurface) {
  TestModule tm;
  tm.func(tm.type({}, {}), Code().b(0xFF).end());
  EXPECT_EQ(failure(tm).code, ErrorCode::MalformedOpcode);
}

} // namespace
} // namespace halter::valid::test
