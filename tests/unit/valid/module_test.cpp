// Module-level rules: limits, constant expressions, segments, start, exports.
#include "test_module.h"

namespace halter::valid::test {
namespace {

constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

TEST(Module, EmptyModuleIsValid) {
  TestModule tm;
  EXPECT_VALID(tm);
}

TEST(Module, TypeIndicesOfFunctionsAndImports) {
  TestModule import;
  import.importFunc(3);
  Error e = failure(import);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown type 3");
  EXPECT_EQ(e.offset, 3u);

  TestModule defined;
  defined.func(2, Code().end());
  EXPECT_EQ(failure(defined).code, ErrorCode::UnknownIndex);
}

TEST(Module, MemoryLimits) {
  TestModule ok;
  ok.memory(0, 65536);
  EXPECT_VALID(ok);

  TestModule too_big;
  too_big.memory(65537);
  Error e = failure(too_big);
  EXPECT_EQ(e.code, ErrorCode::Invalid);
  EXPECT_EQ(e.message, "memory size must be at most 65536 pages (4GiB)");

  TestModule max_too_big;
  max_too_big.memory(0, 65537);
  EXPECT_EQ(failure(max_too_big).code, ErrorCode::Invalid);

  TestModule inverted;
  inverted.memory(2, 1);
  e = failure(inverted);
  EXPECT_EQ(e.code, ErrorCode::Invalid);
  EXPECT_EQ(e.message, "size minimum must not be greater than maximum");

  TestModule imported;
  ir::Import imp;
  imp.kind = ExternKind::Memory;
  imp.memory = MemoryType{SizeLimits{70000, {}}};
  imported.m.imports.push_back(imp);
  imported.m.imported_memories.push_back(imp.memory);
  EXPECT_EQ(failure(imported).code, ErrorCode::Invalid);
}

TEST(Module, AtMostOneMemory) {
  TestModule two;
  two.memory();
  two.memory();
  EXPECT_EQ(failure(two).code, ErrorCode::Invalid);

  TestModule imported_and_defined;
  imported_and_defined.m.imported_memories.push_back(MemoryType{});
  imported_and_defined.memory();
  EXPECT_EQ(failure(imported_and_defined).code, ErrorCode::Invalid);
}

TEST(Module, TableLimits) {
  TestModule ok;
  ok.table(ValType::FuncRef, 0, 0xFFFFFFFF);
  EXPECT_VALID(ok);

  TestModule inverted;
  inverted.table(ValType::FuncRef, 5, 4);
  Error e = failure(inverted);
  EXPECT_EQ(e.code, ErrorCode::Invalid);
  EXPECT_EQ(e.message, "size minimum must not be greater than maximum");
}

TEST(Module, GlobalInitialisers) {
  TestModule ok;
  uint32_t imported = ok.importGlobal(I64, false);
  ok.global(I64, false, constExpr({ci(Op::GlobalGet, imported)}));
  ok.global(ValType::ExternRef, true, constExpr({ci(Op::RefNull, 0, ValType::ExternRef)}));
  ok.global(ValType::F64, false, constExpr({ci(Op::F64Const)}));
  EXPECT_VALID(ok);

  TestModule not_constant;
  not_constant.global(I32, false, constExpr({ci(Op::I32Const), ci(Op::I32Const), ci(Op::I32Add)}));
  Error e = failure(not_constant);
  EXPECT_EQ(e.code, ErrorCode::InvalidConstExpr);
  EXPECT_NE(e.message.find("constant expression required"), std::string::npos);

  TestModule defined_global; // 2.0: only imported globals are visible to initialisers
  defined_global.global(I32, false, constExpr({ci(Op::I32Const)}));
  defined_global.global(I32, false, constExpr({ci(Op::GlobalGet, 0)}));
  e = failure(defined_global);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown global 0");

  TestModule mutable_import;
  imported = mutable_import.importGlobal(I32, true);
  mutable_import.global(I32, false, constExpr({ci(Op::GlobalGet, imported)}));
  EXPECT_EQ(failure(mutable_import).code, ErrorCode::InvalidConstExpr);

  TestModule wrong_type;
  wrong_type.global(I32, false, constExpr({ci(Op::I64Const)}));
  EXPECT_EQ(failure(wrong_type).code, ErrorCode::TypeMismatch);

  TestModule empty;
  empty.global(I32, false, constExpr({}));
  EXPECT_EQ(failure(empty).code, ErrorCode::TypeMismatch);

  TestModule two_values;
  two_values.global(I32, false, constExpr({ci(Op::I32Const), ci(Op::I32Const)}));
  EXPECT_EQ(failure(two_values).code, ErrorCode::TypeMismatch);

  TestModule bad_func;
  bad_func.global(ValType::FuncRef, false, constExpr({ci(Op::RefFunc, 4)}));
  EXPECT_EQ(failure(bad_func).code, ErrorCode::UnknownIndex);

  TestModule null_type; // ref.null extern does not initialise a funcref
  null_type.global(ValType::FuncRef, false, constExpr({ci(Op::RefNull, 0, ValType::ExternRef)}));
  EXPECT_EQ(failure(null_type).code, ErrorCode::TypeMismatch);
}

ir::ElemSegment activeElem(uint32_t table, ir::ConstExpr offset, ValType type) {
  ir::ElemSegment seg;
  seg.mode = ir::SegmentMode::Active;
  seg.table = table;
  seg.offset_expr = std::move(offset);
  seg.elem_type = type;
  seg.offset = 40;
  return seg;
}

TEST(Module, ElementSegments) {
  TestModule ok;
  ok.table(ValType::FuncRef);
  uint32_t f = ok.func(ok.type({}, {}), Code().end());
  ir::ElemSegment seg = activeElem(0, constExpr({ci(Op::I32Const)}), ValType::FuncRef);
  seg.items.push_back(constExpr({ci(Op::RefFunc, f)}));
  seg.items.push_back(constExpr({ci(Op::RefNull, 0, ValType::FuncRef)}));
  ok.m.elems.push_back(seg);
  EXPECT_VALID(ok);

  TestModule no_table;
  no_table.m.elems.push_back(activeElem(0, constExpr({ci(Op::I32Const)}), ValType::FuncRef));
  Error e = failure(no_table);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.offset, 40u);

  TestModule i64_offset;
  i64_offset.table(ValType::FuncRef);
  i64_offset.m.elems.push_back(activeElem(0, constExpr({ci(Op::I64Const)}), ValType::FuncRef));
  EXPECT_EQ(failure(i64_offset).code, ErrorCode::TypeMismatch);

  TestModule table_type;
  table_type.table(ValType::FuncRef);
  table_type.m.elems.push_back(activeElem(0, constExpr({ci(Op::I32Const)}), ValType::ExternRef));
  EXPECT_EQ(failure(table_type).code, ErrorCode::TypeMismatch);

  TestModule item_type;
  item_type.passiveElem(ValType::FuncRef);
  item_type.m.elems.back().items.push_back(constExpr({ci(Op::RefNull, 0, ValType::ExternRef)}));
  EXPECT_EQ(failure(item_type).code, ErrorCode::TypeMismatch);

  TestModule item_func;
  item_func.declare({3});
  EXPECT_EQ(failure(item_func).code, ErrorCode::UnknownIndex);

  TestModule mutable_offset;
  mutable_offset.table(ValType::FuncRef);
  uint32_t g = mutable_offset.importGlobal(I32, true);
  mutable_offset.m.elems.push_back(
      activeElem(0, constExpr({ci(Op::GlobalGet, g)}), ValType::FuncRef));
  EXPECT_EQ(failure(mutable_offset).code, ErrorCode::InvalidConstExpr);

  TestModule defined_global_offset; // offsets see only imported globals, as initialisers do
  defined_global_offset.table(ValType::FuncRef);
  g = defined_global_offset.global(I32, false, constExpr({ci(Op::I32Const)}));
  defined_global_offset.m.elems.push_back(
      activeElem(0, constExpr({ci(Op::GlobalGet, g)}), ValType::FuncRef));
  EXPECT_EQ(failure(defined_global_offset).code, ErrorCode::UnknownIndex);
}

TEST(Module, DataSegments) {
  ir::DataSegment seg;
  seg.mode = ir::SegmentMode::Active;
  seg.offset_expr = constExpr({ci(Op::I32Const)});
  seg.offset = 50;

  TestModule ok;
  ok.memory();
  ok.m.datas.push_back(seg);
  EXPECT_VALID(ok);

  TestModule no_memory;
  no_memory.m.datas.push_back(seg);
  Error e = failure(no_memory);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown memory 0");
  EXPECT_EQ(e.offset, 50u);

  TestModule passive_without_memory; // passive segments need no memory
  ir::DataSegment passive;
  passive_without_memory.m.datas.push_back(passive);
  EXPECT_VALID(passive_without_memory);

  TestModule bad_offset;
  bad_offset.memory();
  seg.offset_expr = constExpr({ci(Op::F32Const)});
  bad_offset.m.datas.push_back(seg);
  EXPECT_EQ(failure(bad_offset).code, ErrorCode::TypeMismatch);

  TestModule non_const;
  non_const.memory();
  seg.offset_expr = constExpr({ci(Op::I32Const), ci(Op::Nop)});
  non_const.m.datas.push_back(seg);
  EXPECT_EQ(failure(non_const).code, ErrorCode::InvalidConstExpr);
}

TEST(Module, StartFunction) {
  TestModule ok;
  ok.m.start = ok.func(ok.type({}, {}), Code().end());
  EXPECT_VALID(ok);

  TestModule unknown;
  unknown.m.start = 0;
  EXPECT_EQ(failure(unknown).code, ErrorCode::UnknownIndex);

  TestModule with_result;
  with_result.m.start = with_result.func(with_result.type({}, {I32}), Code().i32(0).end());
  EXPECT_EQ(failure(with_result).code, ErrorCode::Invalid);

  TestModule with_param;
  with_param.m.start = with_param.importFunc(with_param.type({I32}, {}));
  EXPECT_EQ(failure(with_param).code, ErrorCode::Invalid);
}

TEST(Module, Exports) {
  TestModule ok;
  ok.func(ok.type({}, {}), Code().end());
  ok.memory();
  ok.exportItem("f", ExternKind::Func, 0);
  ok.exportItem("m", ExternKind::Memory, 0);
  EXPECT_VALID(ok);

  TestModule duplicate;
  duplicate.func(duplicate.type({}, {}), Code().end());
  duplicate.memory();
  duplicate.exportItem("a", ExternKind::Func, 0, 10);
  duplicate.exportItem("b", ExternKind::Func, 0, 20);
  duplicate.exportItem("a", ExternKind::Memory, 0, 30);
  Error e = failure(duplicate);
  EXPECT_EQ(e.code, ErrorCode::DuplicateExport);
  EXPECT_EQ(e.offset, 30u);

  TestModule unknown_global;
  unknown_global.exportItem("g", ExternKind::Global, 0);
  e = failure(unknown_global);
  EXPECT_EQ(e.code, ErrorCode::UnknownIndex);
  EXPECT_EQ(e.message, "unknown global 0");

  TestModule unknown_table;
  unknown_table.exportItem("t", ExternKind::Table, 1);
  EXPECT_EQ(failure(unknown_table).code, ErrorCode::UnknownIndex);
}

TEST(Module, BoundsTheWorkOfHostileInput) {
  TestModule params;
  params.type(std::vector<ValType>(1001, I32), {});
  EXPECT_EQ(failure(params).code, ErrorCode::ImplementationLimit);

  TestModule results;
  results.type({}, std::vector<ValType>(1001, I32));
  EXPECT_EQ(failure(results).code, ErrorCode::ImplementationLimit);

  // Each call pushes 1000 values: about a million values from 2 KiB of code.
  TestModule stack;
  uint32_t many = stack.type({}, std::vector<ValType>(1000, I32));
  uint32_t callee = stack.importFunc(many);
  Code c;
  for (int i = 0; i < 1100; ++i) c.op(Op::Call).u(callee);
  c.op(Op::Unreachable).end();
  stack.func(stack.type({}, {}), c);
  EXPECT_EQ(failure(stack).code, ErrorCode::ImplementationLimit);
}

} // namespace
} // namespace halter::valid::test
