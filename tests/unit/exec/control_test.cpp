// Control flow, multi-value and the lowering's stack/local bookkeeping.
#include "wat_fixture.h"

namespace halter::test {
namespace {

Value i32(uint32_t v) {
  return Value::i32(v);
}

TEST(ControlTest, MultiValueFunctionsAndBlocks) {
  auto inst = instantiateWat(R"((module
    (func $three (result i32 i64 i32) (i32.const 1) (i64.const 2) (i32.const 3))
    (func (export "three") (result i32 i64 i32) (call $three))
    ;; Results that are the params in swapped order: the return copies in parallel.
    (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
    (func (export "rot3") (param i32 i32 i32) (result i32 i32 i32)
      (local.get 2) (local.get 0) (local.get 1))
    (func (export "block_params") (param i32 i32) (result i32)
      (local.get 0) (local.get 1)
      (block (param i32 i32) (result i32) (i32.sub)))
    (func (export "if_params_no_else") (param i32 i32) (result i32)
      (local.get 0)
      (if (param i32) (result i32) (local.get 1) (then (i32.const 100) (i32.add))))
    (func (export "loop_params") (param i32) (result i32)
      ;; Sums n + (n-1) + ... + 1 with the accumulator as a loop param.
      (i32.const 0)
      (loop (param i32) (result i32)
        (local.get 0) (i32.add)
        (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_if 0)))
  ))");
  ASSERT_NE(inst, nullptr);
  auto r = callOk(*inst, "three");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], Value::i32(1));
  EXPECT_EQ(r[1], Value::i64(2));
  EXPECT_EQ(r[2], Value::i32(3));
  r = callOk(*inst, "swap", {i32(5), i32(6)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].asI32(), 6u);
  EXPECT_EQ(r[1].asI32(), 5u);
  r = callOk(*inst, "rot3", {i32(1), i32(2), i32(3)});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].asI32(), 3u);
  EXPECT_EQ(r[1].asI32(), 1u);
  EXPECT_EQ(r[2].asI32(), 2u);
  EXPECT_EQ(callI32(*inst, "block_params", {i32(10), i32(3)}), 7u);
  EXPECT_EQ(callI32(*inst, "if_params_no_else", {i32(5), i32(1)}), 105u);
  EXPECT_EQ(callI32(*inst, "if_params_no_else", {i32(5), i32(0)}), 5u);
  EXPECT_EQ(callI32(*inst, "loop_params", {i32(10)}), 55u);
}

TEST(ControlTest, BrTableWithValues) {
  auto inst = instantiateWat(R"((module
    (func (export "pick") (param i32) (result i32)
      (block $d (result i32)
        (block $b (result i32)
          (block $a (result i32)
            (br_table $a $b $d (i32.const 10) (local.get 0)))
          (i32.add (i32.const 1)) (return))
        (i32.add (i32.const 2)) (return)))
    (func (export "loop_table") (param i32) (result i32) (local i32)
      ;; Counts down with a br_table back edge.
      (block $out
        (loop $top
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br_table $out $top (i32.ne (local.get 0) (i32.const 0)))))
      (local.get 1))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "pick", {i32(0)}), 11u);
  EXPECT_EQ(callI32(*inst, "pick", {i32(1)}), 12u);
  EXPECT_EQ(callI32(*inst, "pick", {i32(2)}), 10u);
  EXPECT_EQ(callI32(*inst, "pick", {i32(99)}), 10u);
  EXPECT_EQ(callI32(*inst, "loop_table", {i32(7)}), 7u);
}

TEST(ControlTest, LocalsReadLazilyKeepTheirOldValue) {
  auto inst = instantiateWat(R"((module
    (func (export "old_value") (param i32) (result i32)
      ;; The first local.get must see the value before the set.
      (local.get 0)
      (local.set 0 (i32.add (local.get 0) (i32.const 100)))
      (local.get 0)
      (i32.sub))
    (func (export "tee_chain") (param i32) (result i32) (local i32)
      (i32.add (local.tee 1 (i32.mul (local.get 0) (i32.const 3))) (local.get 1)))
    (func (export "old_value_across_block") (param i32) (result i32)
      (local.get 0)
      (block (local.set 0 (i32.const 7)))
      (local.get 0)
      (i32.add))
    (func (export "countdown") (param i32) (result i32) (local i32)
      ;; Decrement-and-branch through local.tee, and a counter in a local.
      (loop $l
        (local.set 1 (i32.add (local.get 1) (i32.const 2)))
        (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
      (local.get 1))
    (func (export "zero_until_written") (param i32) (result i32) (local i32 i32)
      ;; local 1 is zero only until the loop writes it.
      (loop $l
        (local.set 2 (i32.add (local.get 2) (local.get 1)))
        (local.set 1 (i32.const 5))
        (local.set 1 (i32.const 0))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 2))
    (func (export "locals_start_at_zero") (result i64) (local i64)
      (local.set 0 (i64.add (local.get 0) (i64.const 41)))
      (local.get 0))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "old_value", {i32(5)}), uint32_t(-100));
  EXPECT_EQ(callI32(*inst, "tee_chain", {i32(4)}), 24u);
  EXPECT_EQ(callI32(*inst, "old_value_across_block", {i32(5)}), 12u);
  EXPECT_EQ(callI32(*inst, "countdown", {i32(5)}), 10u);
  EXPECT_EQ(callI32(*inst, "zero_until_written", {i32(4)}), 3u);
  // Called twice: the second call must not see the first call's local.
  EXPECT_EQ(callI64(*inst, "locals_start_at_zero"), 41u);
  EXPECT_EQ(callI64(*inst, "locals_start_at_zero"), 41u);
}

TEST(ControlTest, FusedCompareBranches) {
  auto inst = instantiateWat(R"((module
    (func (export "count_lt") (param i32) (result i32) (local i32)
      (block $done
        (loop $l
          (br_if $done (i32.ge_s (local.get 1) (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br $l)))
      (local.get 1))
    (func (export "if_lt_u") (param i32 i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (local.get 1))
        (then (i32.const 1)) (else (i32.const 2))))
    (func (export "if_eqz") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1)) (else (i32.const 0))))
    (func (export "br_if_i64") (param i64) (result i32)
      (block (result i32)
        (br_if 0 (i32.const 7) (i64.gt_u (local.get 0) (i64.const 100)))
        (drop) (i32.const 8)))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "count_lt", {i32(1000)}), 1000u);
  EXPECT_EQ(callI32(*inst, "count_lt", {i32(uint32_t(-5))}), 0u);
  EXPECT_EQ(callI32(*inst, "if_lt_u", {i32(1), i32(2)}), 1u);
  EXPECT_EQ(callI32(*inst, "if_lt_u", {i32(uint32_t(-1)), i32(2)}), 2u);
  EXPECT_EQ(callI32(*inst, "if_eqz", {Value::i64(0)}), 1u);
  EXPECT_EQ(callI32(*inst, "if_eqz", {Value::i64(1ull << 40)}), 0u);
  EXPECT_EQ(callI32(*inst, "br_if_i64", {Value::i64(101)}), 7u);
  EXPECT_EQ(callI32(*inst, "br_if_i64", {Value::i64(100)}), 8u);
}

TEST(ControlTest, FusedIncrementCompareBranch) {
  auto inst = instantiateWat(R"((module
    (func (export "step_lt") (param i32 i32) (result i32) (local i32)
      ;; for (i = 0; (i += step) < n;) count++
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 3))) (local.get 1))))
      (local.get 2))
    (func (export "limit_first") (param i32 i32) (result i32) (local i32)
      ;; The sum is the compare's second operand: n > (i += 1).
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (br_if $l (i32.gt_s (local.get 1) (local.tee 0 (i32.add (local.get 0) (i32.const 1))))))
      (local.get 2))
    (func (export "if_sum_ne") (param i32 i32) (result i32)
      (if (result i32) (i32.ne (i32.add (local.get 0) (local.get 1)) (i32.const 10))
        (then (i32.const 1)) (else (i32.const 0))))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "step_lt", {i32(0), i32(30)}), 10u);
  EXPECT_EQ(callI32(*inst, "step_lt", {i32(0), i32(1)}), 1u);
  EXPECT_EQ(callI32(*inst, "limit_first", {i32(0), i32(5)}), 5u);
  EXPECT_EQ(callI32(*inst, "limit_first", {i32(uint32_t(-3)), i32(0)}), 3u);
  EXPECT_EQ(callI32(*inst, "if_sum_ne", {i32(4), i32(6)}), 0u);
  EXPECT_EQ(callI32(*inst, "if_sum_ne", {i32(4), i32(7)}), 1u);
}

TEST(ControlTest, FusedConditionDoesNotReorderLocalReads) {
  // The tee'd value stays on the stack below the if; it must be the new value
  // even though the increment is fused into the if's branch.
  auto inst = instantiateWat(R"((module
    (func (export "inc") (param i32) (result i32)
      (local.tee 0 (i32.add (local.get 0) (i32.const -1)))
      (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))
      (i32.add))
    (func (export "add_cmp") (param i32 i32) (result i32)
      (local.tee 0 (i32.add (local.get 0) (i32.const 1)))
      (if (result i32) (i32.lt_u (local.get 0) (local.get 1))
        (then (i32.const 100)) (else (i32.const 200)))
      (i32.add))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "inc", {i32(5)}), 5u);
  EXPECT_EQ(callI32(*inst, "inc", {i32(1)}), 2u);
  EXPECT_EQ(callI32(*inst, "add_cmp", {i32(5), i32(10)}), 106u);
  EXPECT_EQ(callI32(*inst, "add_cmp", {i32(5), i32(6)}), 206u);
}

TEST(ControlTest, GlobalsAndUnreachable) {
  auto inst = instantiateWat(R"((module
    (global $g (mut i64) (i64.const 5))
    (func (export "bump") (result i64)
      (global.set $g (i64.add (global.get $g) (i64.const 1))) (global.get $g))
    (func (export "boom") (unreachable))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI64(*inst, "bump"), 6u);
  EXPECT_EQ(callI64(*inst, "bump"), 7u);
  EXPECT_EQ(callTrap(*inst, "boom").kind, TrapKind::Unreachable);
}

} // namespace
} // namespace halter::test
