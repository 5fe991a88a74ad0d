// The per-op facts of opcodes.def (access size, may trap, commutative,
// inverse and mirror compares) are what lowering and validation trust in
// place of switches; these tests hold every row of the table to them, by
// running the ops, so a wrong or missing fact in a new row fails here.
#include "common/opcode.h"
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace halter {
namespace {

using test::instantiate;

std::vector<Op> allOps() {
  std::vector<Op> ops;
  for (int i = 0; i < kOpCount; ++i) ops.push_back(static_cast<Op>(i));
  return ops;
}

// Numeric ops typed by the table with immediates of none: what a guest can
// call with any operand values.
bool isPlainNumeric(const OpInfo &info) {
  return info.imm == ImmKind::None && !info.sig.irregular && info.sig.num_results == 1 &&
         info.sig.num_params >= 1 && info.sig.num_params <= 2;
}

TEST(OpFacts, AccessSizeExactlyForMemoryOps) {
  for (Op op : allOps()) {
    const OpInfo &info = opInfo(op);
    SCOPED_TRACE(info.text);
    bool memarg = info.imm == ImmKind::MemArg;
    EXPECT_EQ(memarg, info.access_bytes != 0);
    if (memarg) {
      EXPECT_TRUE(std::has_single_bit(unsigned(info.access_bytes)));
      EXPECT_LE(info.access_bytes, 16);
      EXPECT_TRUE(info.mayTrap()) << "a memory access traps out of bounds";
    }
  }
}

TEST(OpFacts, ComparePairsAreInvolutionsOfCompares) {
  int pairs = 0;
  for (Op op : allOps()) {
    const OpInfo &info = opInfo(op);
    SCOPED_TRACE(info.text);
    EXPECT_EQ(info.inverse == Op::Nop, info.mirror == Op::Nop);
    if (info.inverse == Op::Nop) continue;
    ++pairs;
    EXPECT_EQ(opInfo(info.inverse).inverse, op);
    EXPECT_EQ(opInfo(info.mirror).mirror, op);
    EXPECT_NE(info.inverse, op);
    EXPECT_EQ(std::string(info.params), opInfo(info.inverse).params);
    EXPECT_EQ(std::string(info.params), opInfo(info.mirror).params);
    EXPECT_EQ(std::string(info.results), "i");
  }
  EXPECT_EQ(pairs, 20); // eq ne lt gt le ge, signed and unsigned, for i32 and i64
}

std::string watType(ValType t) {
  return valTypeName(t);
}

template <class F> std::vector<Value> floatEdges(Value (*make)(F)) {
  using L = std::numeric_limits<F>;
  std::vector<Value> out;
  for (F f :
       {F(0), -F(0), F(1.5), F(-1.5), L::quiet_NaN(), L::infinity(), -L::infinity(), L::max() / 4})
    out.push_back(make(f));
  return out;
}

// Operands that reach the edges: zero, signs, extremes, NaN, infinities,
// values outside every integer range.
std::vector<Value> edgeValues(ValType t) {
  switch (t) {
  case ValType::I32:
    return {Value::i32(0),           Value::i32(1),           Value::i32(uint32_t(-1)),
            Value::i32(0x80000000u), Value::i32(0x7FFFFFFFu), Value::i32(7)};
  case ValType::I64:
    return {Value::i64(0),
            Value::i64(1),
            Value::i64(uint64_t(-1)),
            Value::i64(uint64_t(1) << 63),
            Value::i64((uint64_t(1) << 63) - 1),
            Value::i64(7)};
  case ValType::F32:
    return floatEdges<float>(Value::f32);
  default:
    return floatEdges<double>(Value::f64);
  }
}

// One module with an export per plain numeric op: "op<N>" computes op N on
// its parameters in order, "swap<N>" on them swapped (two-operand ops).
std::string allOpsModule() {
  std::string wat = "(module\n";
  for (Op op : allOps()) {
    const OpInfo &info = opInfo(op);
    if (!isPlainNumeric(info)) continue;
    std::string n = std::to_string(int(op));
    std::string sig;
    for (int k = 0; k < info.sig.num_params; ++k) sig += " " + watType(info.sig.params[k]);
    std::string head = "(param" + sig + ") (result " + watType(info.sig.results[0]) + ")";
    std::string args = info.sig.num_params == 1 ? "(local.get 0)" : "(local.get 0) (local.get 1)";
    wat += "  (func (export \"op" + n + "\") " + head + " (" + info.text + " " + args + "))\n";
    if (info.sig.num_params == 2 && info.sig.params[0] == info.sig.params[1])
      wat += "  (func (export \"swap" + n + "\") " + head + " (" + info.text +
             " (local.get 1) (local.get 0)))\n";
  }
  return wat + ")";
}

class OpFactsRun : public ::testing::Test {
protected:
  static void SetUpTestSuite() { instance_ = instantiate(allOpsModule()); }
  static void TearDownTestSuite() { instance_.reset(); }
  // Bits of the result, or nullopt when the call trapped.
  std::optional<uint64_t> run(const std::string &name, std::vector<Value> args) {
    auto out = instance_->call(name, args);
    EXPECT_TRUE(out.ok()) << name;
    if (!out.ok() || out->trapped()) return std::nullopt;
    EXPECT_TRUE(out->returned()) << name;
    return out->results.at(0).asI64();
  }
  static std::shared_ptr<Instance> instance_;
};
std::shared_ptr<Instance> OpFactsRun::instance_;

// Every plain numeric op marked "trap" traps on some edge operands, and
// every other one traps on none: lowering maps trap sites by this fact.
TEST_F(OpFactsRun, MayTrapMatchesWhatTraps) {
  ASSERT_NE(instance_, nullptr);
  int checked = 0;
  for (Op op : allOps()) {
    const OpInfo &info = opInfo(op);
    if (!isPlainNumeric(info)) continue;
    SCOPED_TRACE(info.text);
    std::string name = "op" + std::to_string(int(op));
    bool trapped = false;
    std::vector<Value> a_values = edgeValues(info.sig.params[0]);
    std::vector<Value> b_values =
        info.sig.num_params == 2 ? edgeValues(info.sig.params[1]) : std::vector<Value>{Value()};
    for (const Value &a : a_values) {
      for (const Value &b : b_values) {
        std::vector<Value> args{a};
        if (info.sig.num_params == 2) args.push_back(b);
        if (!run(name, args)) trapped = true;
      }
    }
    EXPECT_EQ(trapped, info.mayTrap());
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

// Ops marked "comm" give the same bits with operands swapped; the compare
// pairs give the negated (inverse) and the same (mirror, swapped) answer.
TEST_F(OpFactsRun, CommutativeInverseAndMirrorHold) {
  ASSERT_NE(instance_, nullptr);
  std::mt19937_64 rng(20261202);
  int comm = 0, pairs = 0;
  for (Op op : allOps()) {
    const OpInfo &info = opInfo(op);
    if (!isPlainNumeric(info) || info.sig.num_params != 2) continue;
    if (!info.commutative() && info.inverse == Op::Nop) continue;
    SCOPED_TRACE(info.text);
    ValType t = info.sig.params[0];
    std::vector<Value> values = edgeValues(t);
    for (int k = 0; k < 200; ++k) {
      uint64_t r = rng() >> (k % 64); // small and large magnitudes
      values.push_back(t == ValType::I32 ? Value::i32(uint32_t(r)) : Value::i64(r));
    }
    std::string n = std::to_string(int(op));
    for (size_t i = 0; i < values.size(); ++i) {
      const Value &a = values[i];
      const Value &b = values[(i * 7 + 3) % values.size()];
      auto direct = run("op" + n, {a, b});
      auto swapped = run("swap" + n, {a, b}); // op b a
      ASSERT_TRUE(direct && swapped);
      if (info.commutative()) {
        EXPECT_EQ(*direct, *swapped);
      }
      if (info.inverse != Op::Nop) {
        auto inverse = run("op" + std::to_string(int(info.inverse)), {a, b});
        auto mirror = run("swap" + std::to_string(int(info.mirror)), {a, b}); // mirror b a
        ASSERT_TRUE(inverse && mirror);
        EXPECT_EQ(*direct, 1 - *inverse);
        EXPECT_EQ(*direct, *mirror);
      }
    }
    comm += info.commutative();
    pairs += info.inverse != Op::Nop;
  }
  EXPECT_EQ(pairs, 20);
  EXPECT_GE(comm, 14); // add mul and or xor eq ne, for i32 and i64
}

} // namespace
} // namespace halter
