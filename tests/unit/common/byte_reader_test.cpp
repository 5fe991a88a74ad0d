#include "common/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace halter {
namespace {

using Bytes = std::vector<uint8_t>;

Result<uint64_t> leb(const Bytes &b, unsigned bits, bool is_signed, uint64_t *consumed = nullptr) {
  ByteReader r(b);
  auto v = r.readLeb(bits, is_signed);
  if (consumed) *consumed = r.pos();
  return v;
}

TEST(ByteReaderTest, UnsignedLebValues) {
  EXPECT_EQ(*leb({0x00}, 32, false), 0u);
  EXPECT_EQ(*leb({0x7F}, 32, false), 127u);
  EXPECT_EQ(*leb({0x80, 0x01}, 32, false), 128u);
  EXPECT_EQ(*leb({0xE5, 0x8E, 0x26}, 32, false), 624485u);
  EXPECT_EQ(*leb({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 32, false), 0xFFFFFFFFu);
  // Redundant zero padding is allowed within the byte limit.
  uint64_t used = 0;
  EXPECT_EQ(*leb({0x80, 0x80, 0x80, 0x80, 0x00}, 32, false, &used), 0u);
  EXPECT_EQ(used, 5u);
}

TEST(ByteReaderTest, UnsignedLebTooLong) {
  auto r = leb({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 32, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::MalformedLeb);
  EXPECT_EQ(r.error().message, "integer representation too long");
  EXPECT_EQ(r.error().offset, 0u);
}

TEST(ByteReaderTest, UnsignedLebUnusedBitsMustBeZero) {
  for (uint8_t last : {0x1F, 0x2F, 0x4F, 0x70}) {
    auto r = leb({0xFF, 0xFF, 0xFF, 0xFF, last}, 32, false);
    ASSERT_FALSE(r.ok()) << int(last);
    EXPECT_EQ(r.error().code, ErrorCode::MalformedLeb);
    EXPECT_EQ(r.error().message, "integer too large");
  }
}

TEST(ByteReaderTest, SignedLebValues) {
  EXPECT_EQ(int32_t(*leb({0x7F}, 32, true)), -1);
  EXPECT_EQ(int64_t(*leb({0x7F}, 32, true)), -1); // sign-extended to 64 bits
  EXPECT_EQ(int32_t(*leb({0x3F}, 32, true)), 63);
  EXPECT_EQ(int32_t(*leb({0x40}, 32, true)), -64);
  EXPECT_EQ(int32_t(*leb({0xC0, 0xBB, 0x78}, 32, true)), -123456);
  EXPECT_EQ(int32_t(*leb({0x80, 0x80, 0x80, 0x80, 0x78}, 32, true)), INT32_MIN);
  EXPECT_EQ(int32_t(*leb({0xFF, 0xFF, 0xFF, 0xFF, 0x07}, 32, true)), INT32_MAX);
  EXPECT_EQ(int64_t(*leb({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F}, 64, true)),
            INT64_MIN);
  EXPECT_EQ(int64_t(*leb({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}, 64, true)),
            INT64_MAX);
  // s33: the largest type index and -1.
  EXPECT_EQ(int64_t(*leb({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 33, true)), 0xFFFFFFFFll);
  EXPECT_EQ(int64_t(*leb({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 33, true)), -1);
}

TEST(ByteReaderTest, SignedLebUnusedBitsMustExtendSign) {
  // s32: the last byte's bits 3..6 must equal bit 3.
  EXPECT_FALSE(leb({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 32, true).ok());
  EXPECT_FALSE(leb({0x80, 0x80, 0x80, 0x80, 0x70}, 32, true).ok());
  EXPECT_TRUE(leb({0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, 32, true).ok());
  // s64: the tenth byte is 0x00 or 0x7F.
  auto r = leb({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 64, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "integer too large");
  EXPECT_FALSE(leb({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7E}, 64, true).ok());
  auto too_long = leb({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 64, true);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().message, "integer representation too long");
}

TEST(ByteReaderTest, TruncatedLebIsUnexpectedEnd) {
  auto r = leb({0x80, 0x80}, 32, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::UnexpectedEnd);
  EXPECT_EQ(r.error().offset, 2u);
  EXPECT_EQ(leb({}, 32, false).error().code, ErrorCode::UnexpectedEnd);
}

TEST(ByteReaderTest, OneBitLebForLimitsFlags) {
  EXPECT_EQ(*leb({0x01}, 1, false), 1u);
  EXPECT_EQ(leb({0x02}, 1, false).error().message, "integer too large");
  EXPECT_EQ(leb({0x81, 0x00}, 1, false).error().message, "integer representation too long");
}

TEST(ByteReaderTest, BoundedToItsRange) {
  Bytes b{1, 2, 3, 4, 5};
  ByteReader r(b, 1, 3);
  EXPECT_EQ(r.remaining(), 2u);
  EXPECT_EQ(*r.readByte(), 2);
  EXPECT_FALSE(r.readFixed(2).ok());
  EXPECT_EQ(*r.readByte(), 3);
  auto past = r.readByte();
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().offset, 3u);
  ByteReader whole(b);
  EXPECT_EQ(*whole.readFixed(4), 0x04030201u);
  EXPECT_FALSE(whole.sub(2).ok());
  auto sub = whole.sub(1);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->remaining(), 1u);
}

} // namespace
} // namespace halter
