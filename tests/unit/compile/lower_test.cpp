// Lowering: the shape of the register code (fusions, slot use, source map).
#include "binary/decoder.h"
#include "compile/lower.h"
#include "compile/register_code.h"
#include "valid/validator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace halter::compile {
namespace {

std::vector<uint8_t> watToWasm(const std::string &wat) {
  static std::atomic<int> counter{0};
  std::string base =
      "/tmp/halter_unit_compile_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    std::ofstream out(base + ".wat");
    out << wat;
  }
  std::vector<uint8_t> bytes;
  std::string cmd = "wat2wasm " + base + ".wat -o " + base + ".wasm";
  if (std::system(cmd.c_str()) == 0) {
    std::ifstream in(base + ".wasm", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::remove((base + ".wat").c_str());
  std::remove((base + ".wasm").c_str());
  return bytes;
}

struct Lowered {
  ir::Module module;
  std::vector<LoweredCode> funcs;
};

Lowered lower(const std::string &wat) {
  Lowered out;
  std::vector<uint8_t> bytes = watToWasm(wat);
  EXPECT_FALSE(bytes.empty());
  auto m = binary::decodeModule(bytes);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  if (!m.ok()) return out;
  out.module = std::move(*m);
  auto v = valid::validateModule(out.module);
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().describe());
  auto funcs = lowerModule(out.module);
  EXPECT_TRUE(funcs.ok()) << (funcs.ok() ? "" : funcs.error().describe());
  if (funcs.ok()) out.funcs = std::move(*funcs);
  return out;
}

// The instructions' opcodes, walking the unthreaded code.
std::vector<IOp> ops(const LoweredCode &fn) {
  std::vector<IOp> out;
  for (size_t i = 0; i < fn.code.size(); i += instrWords(&fn.code[i])) {
    EXPECT_LT(fn.code[i], uint64_t(kIOpCount));
    out.push_back(static_cast<IOp>(fn.code[i]));
  }
  return out;
}

size_t count(const std::vector<IOp> &v, IOp op) {
  return size_t(std::count(v.begin(), v.end(), op));
}

TEST(LowerTest, CodeWalksExactlyToTheEnd) {
  Lowered l = lower(R"((module (memory 1) (table 2 funcref)
    (func (param i32) (result i32 i32)
      (block $a (block $b (br_table $a $b $a (local.get 0))))
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
      (local.get 0) (i32.const 1)))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  size_t i = 0;
  const auto &code = l.funcs[0].code;
  while (i < code.size()) i += instrWords(&code[i]);
  EXPECT_EQ(i, code.size());
  auto o = ops(l.funcs[0]);
  EXPECT_EQ(count(o, IOp::BrTable), 1u);
  EXPECT_EQ(count(o, IOp::ReturnN), 1u);
}

TEST(LowerTest, CompareAndBranchAreFused) {
  Lowered l = lower(R"((module
    (func (param i32 i32) (result i32) (local i32)
      (block $done
        (loop $l
          (br_if $done (i32.ge_s (local.get 2) (local.get 0)))
          (local.set 2 (i32.add (local.get 2) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 2) (i32.const 100)))))
      (local.get 2)))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  auto o = ops(l.funcs[0]);
  EXPECT_EQ(count(o, IOp::BrI32GeS), 1u);
  EXPECT_EQ(count(o, IOp::BrImmI32LtU), 1u);
  EXPECT_EQ(count(o, IOp::BinI32GeS), 0u);
  EXPECT_EQ(count(o, IOp::BrIf), 0u);
}

TEST(LowerTest, LoopIncrementCompareAndBranchBecomeOneInstruction) {
  Lowered l = lower(R"((module (memory 1)
    (func (param i32 i32) (result f64) (local f64)
      (loop $l
        (local.set 2 (f64.add (local.get 2) (f64.load (local.get 0))))
        (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 8)))
                          (local.get 1))))
      (local.get 2)))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  auto o = ops(l.funcs[0]);
  ASSERT_EQ(o.size(), 3u);
  EXPECT_EQ(o[0], IOp::BinLdF64Add);
  EXPECT_EQ(o[1], IOp::BrAddISI32Ne);
  EXPECT_EQ(o[2], IOp::Return1);
}

TEST(LowerTest, ResultsAreWrittenStraightIntoLocals) {
  Lowered l = lower(R"((module
    (func (param i32) (result i32) (local i32)
      (local.set 1 (i32.add (local.get 0) (i32.const 5)))
      (local.get 1)))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  const LoweredCode &fn = l.funcs[0];
  auto o = ops(fn);
  // One add that writes local 1 (slot 1, byte offset 8), then a return of it.
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[0], IOp::ImmI32Add);
  EXPECT_EQ(fn.code[1], 8u); // dst: local 1
  EXPECT_EQ(fn.code[2], 0u); // a: local 0
  EXPECT_EQ(fn.code[3], 5u); // imm
  EXPECT_EQ(o[1], IOp::Return1);
  CompiledFunction shape;
  describeFrame(l.module, 0, shape);
  EXPECT_EQ(shape.num_param_slots, 1u);
  EXPECT_EQ(shape.num_local_slots, 2u);
  EXPECT_EQ(shape.num_result_slots, 1u);
  EXPECT_GE(fn.frame_slots, 2u);
}

TEST(LowerTest, AddressAdditionsAndConstantStoresAreFolded) {
  Lowered l = lower(R"((module (memory 1)
    (func (param i32) (result i32)
      (i32.store8 (i32.add (local.get 0) (i32.const 1024)) (i32.const 1))
      (i32.add (i32.load offset=4 (i32.add (local.get 0) (i32.const 16)))
               (i32.load8_u (i32.add (local.get 0) (local.get 0))))))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  auto o = ops(l.funcs[0]);
  EXPECT_EQ(count(o, IOp::StAII32Store8), 1u);
  EXPECT_EQ(count(o, IOp::LdAI32Load), 1u);
  EXPECT_EQ(count(o, IOp::LdSI32Load8U), 1u);
  EXPECT_EQ(count(o, IOp::BinI32Add), 1u); // the final sum, not an address
  EXPECT_EQ(count(o, IOp::ImmI32Add), 0u);
  EXPECT_EQ(count(o, IOp::Const), 0u);
}

TEST(LowerTest, SourceMapCoversTrappingInstructions) {
  Lowered l = lower(R"((module (memory 1)
    (func $f (param i32) (result i32)
      (i32.div_u (i32.load (local.get 0)) (local.get 0))))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  const LoweredCode &fn = l.funcs[0];
  ASSERT_EQ(fn.source_map.size(), 2u);
  EXPECT_LT(fn.source_map[0].first, fn.source_map[1].first);
  EXPECT_LT(fn.source_map[0].second, fn.source_map[1].second);
  // Each entry names an instruction start and a byte inside the function body.
  const ir::FunctionBody &body = l.module.codes[0];
  for (auto [index, offset] : fn.source_map) {
    EXPECT_GE(offset, body.code_begin);
    EXPECT_LT(offset, body.code_end);
    EXPECT_LT(index, fn.code.size());
  }
  EXPECT_EQ(l.module.bytes[fn.source_map[0].second], 0x28); // i32.load
  EXPECT_EQ(l.module.bytes[fn.source_map[1].second], 0x6E); // i32.div_u
}

TEST(LowerTest, StackSlotsFollowTheOperandStack) {
  Lowered l = lower(R"((module
    (func (param i64) (result i64)
      (i64.add (i64.mul (local.get 0) (local.get 0))
               (i64.add (i64.mul (local.get 0) (i64.const 3))
                        (i64.mul (local.get 0) (i64.const 5))))))
  )");
  ASSERT_EQ(l.funcs.size(), 1u);
  // One param, no locals, and one slot per operand stack position: the
  // deepest point holds four values.
  EXPECT_EQ(l.funcs[0].frame_slots, 5u);
}

} // namespace
} // namespace halter::compile
