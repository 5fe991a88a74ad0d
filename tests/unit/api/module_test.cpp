#include "support/wat.h"

#include "halter/halter.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

using test::watToWasm;

TEST(Module, RejectsBadMagicWithOffset) {
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};
  auto m = Module::compile(bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::BadMagic);
  EXPECT_FALSE(Module::validate(bytes).ok());
}

TEST(Module, ValidateReportsTypeErrors) {
  // A function declared to return i32 whose body leaves an i64.
  std::vector<uint8_t> bytes = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // header
                                0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type () -> i32
                                0x03, 0x02, 0x01, 0x00,                          // func 0: type 0
                                0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b}; // i64.const 0
  auto v = Module::validate(bytes);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::TypeMismatch);
  EXPECT_FALSE(Module::compile(bytes).ok());
}

TEST(Module, DescribesImportsExportsAndSections) {
  auto bytes = watToWasm(R"((module
    (import "env" "f" (func (param i32 i64) (result f32)))
    (import "env" "m" (memory 1 3))
    (import "env" "g" (global (mut f64)))
    (table (export "t") 2 funcref)
    (func $inc (export "inc") (param i32) (result i32) local.get 0 i32.const 1 i32.add)))",
                         "--debug-names");
  auto m = Module::compile(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const Module &mod = **m;
  ASSERT_EQ(mod.imports().size(), 3u);
  EXPECT_EQ(mod.imports()[0].module, "env");
  EXPECT_EQ(mod.imports()[0].name, "f");
  EXPECT_EQ(mod.imports()[0].kind, ExternKind::Func);
  EXPECT_EQ(mod.imports()[0].func, (FuncType{{ValType::I32, ValType::I64}, {ValType::F32}}));
  EXPECT_EQ(mod.imports()[1].kind, ExternKind::Memory);
  EXPECT_EQ(mod.imports()[1].memory.limits, (SizeLimits{1, 3}));
  EXPECT_EQ(mod.imports()[2].global, (GlobalType{ValType::F64, true}));
  ASSERT_EQ(mod.exports().size(), 2u);
  EXPECT_EQ(mod.exports()[0].name, "t");
  EXPECT_EQ(mod.exports()[0].kind, ExternKind::Table);
  EXPECT_EQ(mod.exports()[1].name, "inc");
  EXPECT_EQ(mod.exports()[1].index, 1u) << "after the imported function";
  const FuncType *inc = mod.exportedFuncType("inc");
  ASSERT_NE(inc, nullptr);
  EXPECT_EQ(*inc, (FuncType{{ValType::I32}, {ValType::I32}}));
  EXPECT_EQ(mod.exportedFuncType("t"), nullptr);
  EXPECT_EQ(mod.exportedFuncType("nope"), nullptr);

  std::vector<std::string> names;
  for (const SectionInfo &s : mod.sections()) {
    names.push_back(s.name);
    EXPECT_GT(s.offset, 8u);
    EXPECT_LE(s.offset + s.size, bytes.size());
  }
  std::vector<std::string> want = {"type", "import", "function", "table", "export", "code", "name"};
  EXPECT_EQ(names, want);
  EXPECT_EQ(mod.sections().back().id, 0);
}

} // namespace
} // namespace halter
