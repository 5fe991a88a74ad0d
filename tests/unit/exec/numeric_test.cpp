// Numeric semantics: integer edge cases, IEEE details, conversions.
#include "wat_fixture.h"

#include <bit>
#include <cmath>

namespace halter::test {
namespace {

const char *kNumeric = R"((module
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "div_s_by_7") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const 7)))
  (func (export "div_s_by_m1") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
  (func (export "rem_s64") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "div_s64") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
  (func (export "shr_s") (param i32 i32) (result i32) (i32.shr_s (local.get 0) (local.get 1)))
  (func (export "shr_u64") (param i64 i64) (result i64) (i64.shr_u (local.get 0) (local.get 1)))
  (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
  (func (export "rotr64") (param i64 i64) (result i64) (i64.rotr (local.get 0) (local.get 1)))
  (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
  (func (export "ctz64") (param i64) (result i64) (i64.ctz (local.get 0)))
  (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
  (func (export "sub_const_left") (param i32) (result i32) (i32.sub (i32.const 10) (local.get 0)))
  (func (export "lt_const_left") (param i32) (result i32) (i32.lt_s (i32.const 10) (local.get 0)))
  (func (export "ext8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
  (func (export "ext32_64") (param i64) (result i64) (i64.extend32_s (local.get 0)))
  (func (export "extend_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
  (func (export "extend_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
  (func (export "wrap_then_extend") (param i64) (result i64)
    (i64.extend_i32_u (i32.wrap_i64 (local.get 0))))
  (func (export "fmin") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func (export "fmax") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
  (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "nearest32") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "abs64") (param f64) (result f64) (f64.abs (local.get 0)))
  (func (export "copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
  (func (export "floor") (param f32) (result f32) (f32.floor (local.get 0)))
  (func (export "trunc_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "trunc_u64") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
  (func (export "trunc_s64_f64") (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
  (func (export "trunc_sat_s") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "trunc_sat_u64") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func (export "u64_to_f32") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
  (func (export "u64_to_f64") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  (func (export "reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "select") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (local.get 0)))
))";

class NumericTest : public ::testing::Test {
protected:
  void SetUp() override {
    inst_ = instantiateWat(kNumeric);
    ASSERT_NE(inst_, nullptr);
  }
  Instance &inst() { return *inst_; }
  std::shared_ptr<Instance> inst_;
};

Value i32(uint32_t v) {
  return Value::i32(v);
}
Value i64(uint64_t v) {
  return Value::i64(v);
}

uint32_t f32Bits(Instance &inst, const std::string &name, std::vector<Value> args) {
  auto r = callOk(inst, name, std::move(args));
  return r.size() == 1 ? r[0].f32Bits() : 0xDEADBEEF;
}
uint64_t f64Bits(Instance &inst, const std::string &name, std::vector<Value> args) {
  auto r = callOk(inst, name, std::move(args));
  return r.size() == 1 ? r[0].f64Bits() : 0xDEADBEEF;
}

TEST_F(NumericTest, IntegerDivisionTrapsAndEdgeCases) {
  EXPECT_EQ(callI32(inst(), "div_s", {i32(uint32_t(-7)), i32(2)}), uint32_t(-3));
  EXPECT_EQ(callTrap(inst(), "div_s", {i32(1), i32(0)}).kind, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(callTrap(inst(), "div_s", {i32(0x80000000u), i32(uint32_t(-1))}).kind,
            TrapKind::IntegerOverflow);
  EXPECT_EQ(callTrap(inst(), "div_s_by_m1", {i32(0x80000000u)}).kind, TrapKind::IntegerOverflow);
  EXPECT_EQ(callI32(inst(), "div_s_by_m1", {i32(5)}), uint32_t(-5));
  EXPECT_EQ(callI32(inst(), "div_s_by_7", {i32(uint32_t(-50))}), uint32_t(-7));
  EXPECT_EQ(callI32(inst(), "rem_s", {i32(0x80000000u), i32(uint32_t(-1))}), 0u);
  EXPECT_EQ(callI32(inst(), "rem_s", {i32(uint32_t(-7)), i32(2)}), uint32_t(-1));
  EXPECT_EQ(callTrap(inst(), "rem_s", {i32(1), i32(0)}).kind, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(callI32(inst(), "div_u", {i32(0xFFFFFFFFu), i32(2)}), 0x7FFFFFFFu);
  EXPECT_EQ(callI64(inst(), "rem_s64", {i64(0x8000000000000000ull), i64(~0ull)}), 0u);
  EXPECT_EQ(callTrap(inst(), "div_s64", {i64(0x8000000000000000ull), i64(~0ull)}).kind,
            TrapKind::IntegerOverflow);
}

TEST_F(NumericTest, ShiftsAndRotatesUseCountModuloWidth) {
  EXPECT_EQ(callI32(inst(), "shl", {i32(1), i32(33)}), 2u);
  EXPECT_EQ(callI32(inst(), "shr_s", {i32(0x80000000u), i32(31)}), 0xFFFFFFFFu);
  EXPECT_EQ(callI64(inst(), "shr_u64", {i64(0x8000000000000000ull), i64(65)}),
            0x4000000000000000ull);
  EXPECT_EQ(callI32(inst(), "rotl", {i32(0x80000001u), i32(1)}), 3u);
  EXPECT_EQ(callI32(inst(), "rotl", {i32(0x12345678u), i32(32)}), 0x12345678u);
  EXPECT_EQ(callI64(inst(), "rotr64", {i64(1), i64(1)}), 0x8000000000000000ull);
}

TEST_F(NumericTest, BitCounts) {
  EXPECT_EQ(callI32(inst(), "clz", {i32(0)}), 32u);
  EXPECT_EQ(callI32(inst(), "clz", {i32(1)}), 31u);
  EXPECT_EQ(callI64(inst(), "ctz64", {i64(0)}), 64u);
  EXPECT_EQ(callI64(inst(), "ctz64", {i64(0x100)}), 8u);
  EXPECT_EQ(callI32(inst(), "popcnt", {i32(0xF0F0F0F0u)}), 16u);
}

TEST_F(NumericTest, ConstantOperandOnTheLeft) {
  EXPECT_EQ(callI32(inst(), "sub_const_left", {i32(3)}), 7u);
  EXPECT_EQ(callI32(inst(), "lt_const_left", {i32(11)}), 1u);
  EXPECT_EQ(callI32(inst(), "lt_const_left", {i32(10)}), 0u);
  EXPECT_EQ(callI32(inst(), "lt_const_left", {i32(uint32_t(-5))}), 0u);
}

TEST_F(NumericTest, SignExtensionWrapAndExtend) {
  EXPECT_EQ(callI32(inst(), "ext8", {i32(0x80)}), 0xFFFFFF80u);
  EXPECT_EQ(callI64(inst(), "ext32_64", {i64(0x80000000ull)}), 0xFFFFFFFF80000000ull);
  EXPECT_EQ(callI64(inst(), "extend_u", {i32(0xFFFFFFFFu)}), 0xFFFFFFFFull);
  EXPECT_EQ(callI64(inst(), "extend_s", {i32(0xFFFFFFFFu)}), ~0ull);
  EXPECT_EQ(callI32(inst(), "wrap", {i64(0x123456789ull)}), 0x23456789u);
  // The high half of a wrapped value must not leak into a later extension.
  EXPECT_EQ(callI64(inst(), "wrap_then_extend", {i64(0xABCDEF0012345678ull)}), 0x12345678ull);
}

TEST_F(NumericTest, MinMaxSignedZeroAndNaN) {
  uint32_t neg_zero = 0x80000000u;
  EXPECT_EQ(f32Bits(inst(), "fmin", {Value::f32Bits(0), Value::f32Bits(neg_zero)}), neg_zero);
  EXPECT_EQ(f32Bits(inst(), "fmin", {Value::f32Bits(neg_zero), Value::f32Bits(0)}), neg_zero);
  uint32_t nan = f32Bits(inst(), "fmin", {Value::f32(1.0f), Value::f32Bits(0x7FC00001u)});
  EXPECT_TRUE(std::isnan(std::bit_cast<float>(nan)));
  uint64_t r = f64Bits(inst(), "fmax", {Value::f64Bits(0x8000000000000000ull), Value::f64(0.0)});
  EXPECT_EQ(r, 0u);
  EXPECT_EQ(callOk(inst(), "fmax", {Value::f64(-1.0), Value::f64(2.0)})[0].asF64(), 2.0);
}

TEST_F(NumericTest, NearestRoundsTiesToEven) {
  EXPECT_EQ(callOk(inst(), "nearest", {Value::f64(2.5)})[0].asF64(), 2.0);
  EXPECT_EQ(callOk(inst(), "nearest", {Value::f64(3.5)})[0].asF64(), 4.0);
  EXPECT_EQ(f64Bits(inst(), "nearest", {Value::f64(-0.5)}), 0x8000000000000000ull);
  EXPECT_EQ(callOk(inst(), "nearest32", {Value::f32(-1.5f)})[0].asF32(), -2.0f);
}

TEST_F(NumericTest, SignOperationsKeepNaNPayloads) {
  EXPECT_EQ(f32Bits(inst(), "neg", {Value::f32Bits(0x7FA00001u)}), 0xFFA00001u);
  EXPECT_EQ(f64Bits(inst(), "abs64", {Value::f64Bits(0xFFF4000000000001ull)}),
            0x7FF4000000000001ull);
  EXPECT_EQ(f32Bits(inst(), "copysign", {Value::f32Bits(0x7FA00001u), Value::f32(-1.0f)}),
            0xFFA00001u);
  // Rounding a signalling NaN gives a quiet NaN.
  uint32_t q = f32Bits(inst(), "floor", {Value::f32Bits(0x7FA00000u)});
  EXPECT_TRUE(std::isnan(std::bit_cast<float>(q)));
  EXPECT_NE(q & 0x00400000u, 0u);
}

TEST_F(NumericTest, TruncationTrapsAtExactBounds) {
  EXPECT_EQ(callI32(inst(), "trunc_s", {Value::f32(-2147483648.0f)}), 0x80000000u);
  EXPECT_EQ(callTrap(inst(), "trunc_s", {Value::f32(2147483648.0f)}).kind,
            TrapKind::IntegerOverflow);
  EXPECT_EQ(callTrap(inst(), "trunc_s", {Value::f32Bits(0x7FC00000u)}).kind,
            TrapKind::InvalidConversion);
  EXPECT_EQ(callI32(inst(), "trunc_s", {Value::f32(-1.9f)}), uint32_t(-1));
  EXPECT_EQ(callI64(inst(), "trunc_u64", {Value::f64(-0.99)}), 0u);
  EXPECT_EQ(callTrap(inst(), "trunc_u64", {Value::f64(-1.0)}).kind, TrapKind::IntegerOverflow);
  EXPECT_EQ(callI64(inst(), "trunc_u64", {Value::f64(18446744073709549568.0)}),
            18446744073709549568ull);
  EXPECT_EQ(callTrap(inst(), "trunc_u64", {Value::f64(18446744073709551616.0)}).kind,
            TrapKind::IntegerOverflow);
  EXPECT_EQ(callI64(inst(), "trunc_s64_f64", {Value::f64(-9223372036854775808.0)}),
            0x8000000000000000ull);
  EXPECT_EQ(callTrap(inst(), "trunc_s64_f64", {Value::f64(9223372036854775808.0)}).kind,
            TrapKind::IntegerOverflow);
}

TEST_F(NumericTest, SaturatingTruncation) {
  EXPECT_EQ(callI32(inst(), "trunc_sat_s", {Value::f64(1e10)}), 0x7FFFFFFFu);
  EXPECT_EQ(callI32(inst(), "trunc_sat_s", {Value::f64(-1e10)}), 0x80000000u);
  EXPECT_EQ(callI32(inst(), "trunc_sat_s", {Value::f64Bits(0x7FF8000000000000ull)}), 0u);
  EXPECT_EQ(callI32(inst(), "trunc_sat_s", {Value::f64(-3.7)}), uint32_t(-3));
  EXPECT_EQ(callI64(inst(), "trunc_sat_u64", {Value::f32(-5.0f)}), 0u);
  EXPECT_EQ(callI64(inst(), "trunc_sat_u64", {Value::f32(1e30f)}), ~0ull);
}

TEST_F(NumericTest, UnsignedConversionsRoundCorrectly) {
  // 2^64 - 1 rounds to 2^64 in both formats.
  EXPECT_EQ(callOk(inst(), "u64_to_f32", {i64(~0ull)})[0].asF32(), 18446744073709551616.0f);
  EXPECT_EQ(callOk(inst(), "u64_to_f64", {i64(~0ull)})[0].asF64(), 18446744073709551616.0);
  // Just above a tie between two f32 values: must round up (a naive
  // double-rounding conversion rounds down).
  uint64_t v = 0x8000008000000001ull;
  EXPECT_EQ(f32Bits(inst(), "u64_to_f32", {i64(v)}), 0x5F000001u);
  EXPECT_EQ(callI32(inst(), "reinterpret", {Value::f32Bits(0xFF800000u)}), 0xFF800000u);
}

TEST_F(NumericTest, Select) {
  EXPECT_EQ(callI64(inst(), "select", {i32(1), i64(10), i64(20)}), 10u);
  EXPECT_EQ(callI64(inst(), "select", {i32(0), i64(10), i64(20)}), 20u);
}

} // namespace
} // namespace halter::test
