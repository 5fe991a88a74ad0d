// Linear memory and tables: bounds, growth, bulk operations.
#include "wat_fixture.h"

namespace halter::test {
namespace {

Value i32(uint32_t v) {
  return Value::i32(v);
}

const char *kMemory = R"((module
  (memory (export "mem") 1 3)
  (data $d "hello world")
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load_s16") (param i32) (result i32) (i32.load16_s offset=1 (local.get 0)))
  (func (export "load_indexed") (param i32 i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get 0) (local.get 1))))
  (func (export "load64_at") (param i32) (result i64)
    (i64.load offset=4 (i32.add (local.get 0) (i32.const 8))))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "store_imm") (param i32) (i32.store16 offset=2 (local.get 0) (i32.const 0xABCD)))
  (func (export "store_added") (param i32) (i32.store8 (i32.add (local.get 0) (i32.const 3))
                                                       (i32.const 0x5A)))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (data.drop $d))
))";

class MemoryTest : public ::testing::Test {
protected:
  void SetUp() override {
    inst_ = instantiateWat(kMemory);
    ASSERT_NE(inst_, nullptr);
  }
  Instance &inst() { return *inst_; }
  uint32_t byte(uint32_t addr) { return callI32(inst(), "load8", {i32(addr)}); }
  std::shared_ptr<Instance> inst_;
};

TEST_F(MemoryTest, LoadsAndStoresCheckBounds) {
  callOk(inst(), "store32", {i32(100), i32(0x80FF0201u)});
  EXPECT_EQ(byte(100), 0x01u);
  EXPECT_EQ(byte(103), 0x80u);
  EXPECT_EQ(callI32(inst(), "load_s16", {i32(101)}), 0xFFFF80FFu);
  callOk(inst(), "store32", {i32(65532), i32(7)});
  EXPECT_EQ(callTrap(inst(), "store32", {i32(65533), i32(7)}).kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(callTrap(inst(), "load8", {i32(65536)}).kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(callTrap(inst(), "load8", {i32(0xFFFFFFFFu)}).kind, TrapKind::MemoryOutOfBounds);
  // Address + offset is computed in 64 bits: no wrap-around to a valid address.
  EXPECT_EQ(callTrap(inst(), "load_s16", {i32(0xFFFFFFFFu)}).kind, TrapKind::MemoryOutOfBounds);
}

TEST_F(MemoryTest, FusedAddressAdditionWrapsAt32Bits) {
  callOk(inst(), "store32", {i32(4), i32(0x11223344u)});
  // (0xFFFFFFF8 + 8) wraps to 0 in i32 arithmetic, then + offset 4.
  EXPECT_EQ(callI64(inst(), "load64_at", {i32(0xFFFFFFF8u)}) & 0xFFFFFFFFu, 0x11223344u);
  callOk(inst(), "store_added", {i32(0xFFFFFFFFu)}); // writes byte 2
  EXPECT_EQ(byte(2), 0x5Au);
  EXPECT_EQ(callI32(inst(), "load_indexed", {i32(0xFFFFFFFFu), i32(2)}), 0x5Au); // byte 1 + 1
  EXPECT_EQ(callTrap(inst(), "load_indexed", {i32(65000), i32(535)}).kind,
            TrapKind::MemoryOutOfBounds);
  callOk(inst(), "store_imm", {i32(10)});
  EXPECT_EQ(byte(12), 0xCDu);
  EXPECT_EQ(byte(13), 0xABu);
}

TEST_F(MemoryTest, GrowChangesTheBounds) {
  EXPECT_EQ(callI32(inst(), "size"), 1u);
  EXPECT_EQ(callTrap(inst(), "load8", {i32(70000)}).kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(callI32(inst(), "grow", {i32(1)}), 1u);
  EXPECT_EQ(callI32(inst(), "size"), 2u);
  EXPECT_EQ(byte(70000), 0u);
  EXPECT_EQ(callI32(inst(), "grow", {i32(5)}), 0xFFFFFFFFu); // above the maximum
  EXPECT_EQ(callI32(inst(), "size"), 2u);
}

TEST_F(MemoryTest, FillAndCopy) {
  callOk(inst(), "fill", {i32(10), i32(0x1AB), i32(5)});
  EXPECT_EQ(byte(9), 0u);
  EXPECT_EQ(byte(10), 0xABu);
  EXPECT_EQ(byte(14), 0xABu);
  EXPECT_EQ(byte(15), 0u);
  // Overlapping copy forward: behaves like memmove.
  callOk(inst(), "store32", {i32(20), i32(0x04030201u)});
  callOk(inst(), "copy", {i32(21), i32(20), i32(4)});
  EXPECT_EQ(byte(21), 1u);
  EXPECT_EQ(byte(24), 4u);
  // Out of bounds: traps and writes nothing.
  EXPECT_EQ(callTrap(inst(), "fill", {i32(65530), i32(0xFF), i32(7)}).kind,
            TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(byte(65530), 0u);
  EXPECT_EQ(callTrap(inst(), "copy", {i32(0), i32(65535), i32(2)}).kind,
            TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(byte(0), 0u);
  // Zero length at the very end is fine; one past it is not.
  callOk(inst(), "fill", {i32(65536), i32(1), i32(0)});
  EXPECT_EQ(callTrap(inst(), "fill", {i32(65537), i32(1), i32(0)}).kind,
            TrapKind::MemoryOutOfBounds);
}

TEST_F(MemoryTest, InitAndDrop) {
  callOk(inst(), "init", {i32(200), i32(6), i32(5)});
  EXPECT_EQ(byte(200), uint32_t('w'));
  EXPECT_EQ(byte(204), uint32_t('d'));
  EXPECT_EQ(callTrap(inst(), "init", {i32(0), i32(8), i32(4)}).kind, TrapKind::MemoryOutOfBounds);
  callOk(inst(), "drop");
  EXPECT_EQ(callTrap(inst(), "init", {i32(0), i32(0), i32(1)}).kind, TrapKind::MemoryOutOfBounds);
  callOk(inst(), "init", {i32(0), i32(0), i32(0)});
}

TEST(MemoryOpsTest, LoadsFusedIntoArithmetic) {
  auto inst = instantiateWat(R"((module
    (memory 1)
    (func (export "sub_mem") (param i32 i32) (result i32)
      (i32.sub (local.get 1) (i32.load (local.get 0))))
    (func (export "mem_sub") (param i32 i32) (result i32)
      (i32.sub (i32.load (local.get 0)) (local.get 1)))
    (func (export "mem_mul") (param i32 i32) (result i32)
      (i32.mul (i32.load (local.get 0)) (local.get 1)))
    (func (export "dot") (param i32 i32 i32) (result f64) (local f64)
      ;; sum of a[i] * b[i] over n doubles
      (block $done
        (loop $l
          (br_if $done (i32.eqz (local.get 2)))
          (local.set 3 (f64.add (local.get 3)
            (f64.mul (f64.load (local.get 0)) (f64.load (local.get 1)))))
          (local.set 0 (i32.add (local.get 0) (i32.const 8)))
          (local.set 1 (i32.add (local.get 1) (i32.const 8)))
          (local.set 2 (i32.sub (local.get 2) (i32.const 1)))
          (br $l)))
      (local.get 3))
    (func (export "set_f64") (param i32 f64) (f64.store (local.get 0) (local.get 1)))
    (func (export "set") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  ))");
  ASSERT_NE(inst, nullptr);
  callOk(*inst, "set", {i32(0), i32(10)});
  EXPECT_EQ(callI32(*inst, "sub_mem", {i32(0), i32(3)}), uint32_t(-7));
  EXPECT_EQ(callI32(*inst, "mem_sub", {i32(0), i32(3)}), 7u);
  EXPECT_EQ(callI32(*inst, "mem_mul", {i32(0), i32(3)}), 30u);
  EXPECT_EQ(callTrap(*inst, "mem_mul", {i32(65533), i32(3)}).kind, TrapKind::MemoryOutOfBounds);
  for (uint32_t k = 0; k < 4; ++k) {
    callOk(*inst, "set_f64", {i32(100 + 8 * k), Value::f64(k + 1.0)});
    callOk(*inst, "set_f64", {i32(200 + 8 * k), Value::f64(0.5)});
  }
  auto r = callOk(*inst, "dot", {i32(100), i32(200), i32(4)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].asF64(), 5.0);
  EXPECT_EQ(callTrap(*inst, "dot", {i32(65530), i32(200), i32(1)}).kind,
            TrapKind::MemoryOutOfBounds);
}

TEST(TableTest, TableOperations) {
  auto inst = instantiateWat(R"((module
    (table $t 2 10 funcref)
    (elem $e func $a $b)
    (func $a (result i32) (i32.const 1))
    (func $b (result i32) (i32.const 2))
    (type $r (func (result i32)))
    (func (export "init") (param i32 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
    (func (export "drop") (elem.drop $e))
    (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
    (func (export "grow") (param i32) (result i32) (table.grow $t (ref.func $a) (local.get 0)))
    (func (export "size") (result i32) (table.size $t))
    (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
    (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
    (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "set_b") (param i32) (table.set $t (local.get 0) (ref.func $b)))
  ))");
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(callI32(*inst, "is_null", {i32(0)}), 1u);
  callOk(*inst, "init", {i32(0), i32(0), i32(2)});
  EXPECT_EQ(callI32(*inst, "call", {i32(0)}), 1u);
  EXPECT_EQ(callI32(*inst, "call", {i32(1)}), 2u);
  EXPECT_EQ(callTrap(*inst, "init", {i32(1), i32(1), i32(2)}).kind, TrapKind::TableOutOfBounds);
  EXPECT_EQ(callI32(*inst, "grow", {i32(3)}), 2u);
  EXPECT_EQ(callI32(*inst, "size"), 5u);
  EXPECT_EQ(callI32(*inst, "call", {i32(4)}), 1u);
  EXPECT_EQ(callI32(*inst, "grow", {i32(6)}), 0xFFFFFFFFu);
  callOk(*inst, "copy", {i32(2), i32(0), i32(2)});
  EXPECT_EQ(callI32(*inst, "call", {i32(3)}), 2u);
  callOk(*inst, "fill", {i32(0), i32(2)});
  EXPECT_EQ(callI32(*inst, "is_null", {i32(1)}), 1u);
  EXPECT_EQ(callTrap(*inst, "call", {i32(1)}).kind, TrapKind::UninitializedElement);
  callOk(*inst, "set_b", {i32(1)});
  EXPECT_EQ(callI32(*inst, "call", {i32(1)}), 2u);
  EXPECT_EQ(callTrap(*inst, "is_null", {i32(5)}).kind, TrapKind::TableOutOfBounds);
  EXPECT_EQ(callTrap(*inst, "fill", {i32(4), i32(2)}).kind, TrapKind::TableOutOfBounds);
  callOk(*inst, "drop");
  EXPECT_EQ(callTrap(*inst, "init", {i32(0), i32(0), i32(1)}).kind, TrapKind::TableOutOfBounds);
}

} // namespace
} // namespace halter::test
