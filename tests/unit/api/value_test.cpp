// Value: signed and unsigned views of the same bits.
#include "halter/types.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace halter {
namespace {

TEST(Value, SignedAccessorsReadTheSameBits) {
  EXPECT_EQ(Value::i32(uint32_t(-5)).asS32(), -5);
  EXPECT_EQ(Value::i32(uint32_t(-5)).asI32(), 0xFFFFFFFBu);
  EXPECT_EQ(Value::i32(0x80000000u).asS32(), INT32_MIN);
  EXPECT_EQ(Value::i64(uint64_t(-1)).asS64(), -1);
  EXPECT_EQ(Value::i64(uint64_t(1) << 63).asS64(), INT64_MIN);
  EXPECT_EQ(Value::i64(42).asS64(), 42);
}

} // namespace
} // namespace halter
