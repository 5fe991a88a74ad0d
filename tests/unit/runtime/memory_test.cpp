#include "runtime/memory.h"

#include <gtest/gtest.h>

namespace halter::rt {
namespace {

MemoryType memType(uint64_t min, std::optional<uint64_t> max) {
  return MemoryType{{min, max}};
}

TEST(Memory, InitialPagesAreZeroAndWritable) {
  auto mem = Memory::create(memType(2, 5));
  ASSERT_TRUE(mem.ok()) << mem.error().describe();
  EXPECT_EQ((*mem)->pages(), 2u);
  EXPECT_EQ((*mem)->sizeBytes(), 2 * kPageSize);
  uint8_t *p = (*mem)->data();
  for (uint64_t i = 0; i < 2 * kPageSize; i += 4097) EXPECT_EQ(p[i], 0);
  p[2 * kPageSize - 1] = 0xAB;
  EXPECT_EQ(p[2 * kPageSize - 1], 0xAB);
}

TEST(Memory, GrowReturnsOldSizeAndZeroFills) {
  auto mem = Memory::create(memType(1, 4));
  ASSERT_TRUE(mem.ok());
  Memory &m = **mem;
  uint8_t *base = m.data();
  m.data()[10] = 7;
  EXPECT_EQ(m.grow(2), 1);
  EXPECT_EQ(m.pages(), 3u);
  EXPECT_EQ(m.type().limits.min, 3u);
  EXPECT_EQ(m.data(), base) << "the base never moves";
  EXPECT_EQ(m.data()[10], 7);
  EXPECT_EQ(m.data()[kPageSize + 5], 0);
  EXPECT_EQ(m.data()[3 * kPageSize - 1], 0);
  m.data()[3 * kPageSize - 1] = 1;
  EXPECT_EQ(m.grow(0), 3);
  EXPECT_EQ(m.grow(2), -1) << "beyond the maximum";
  EXPECT_EQ(m.pages(), 3u);
  EXPECT_EQ(m.grow(1), 3);
  EXPECT_EQ(m.grow(1), -1);
}

TEST(Memory, ZeroPagesWithZeroMaximum) {
  auto mem = Memory::create(memType(0, 0));
  ASSERT_TRUE(mem.ok()) << mem.error().describe();
  EXPECT_EQ((*mem)->sizeBytes(), 0u);
  EXPECT_NE((*mem)->data(), nullptr);
  EXPECT_EQ((*mem)->grow(0), 0);
  EXPECT_EQ((*mem)->grow(1), -1);
}

TEST(Memory, NoMaximumGrowsUpTo4GiBOnly) {
  auto mem = Memory::create(memType(0, std::nullopt));
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ((*mem)->grow(kMaxPages + 1), -1);
  EXPECT_EQ((*mem)->grow(3), 0);
  EXPECT_EQ((*mem)->pages(), 3u);
}

TEST(Memory, CapLimitsGrowthAndCreation) {
  auto mem = Memory::create(memType(1, std::nullopt), 3 * kPageSize);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ((*mem)->grow(2), 1);
  EXPECT_EQ((*mem)->grow(1), -1) << "the cap refuses";
  EXPECT_EQ((*mem)->pages(), 3u);

  auto too_big = Memory::create(memType(4, 10), 3 * kPageSize);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::ResourceLimit);
}

TEST(Memory, ManyLargeReservationsAreCheap) {
  // Each reservation is 4 GiB of address space and no memory.
  std::vector<std::shared_ptr<Memory>> mems;
  for (int i = 0; i < 64; ++i) {
    auto mem = Memory::create(memType(1, std::nullopt));
    ASSERT_TRUE(mem.ok());
    mems.push_back(*mem);
  }
  EXPECT_EQ(mems.back()->pages(), 1u);
}

} // namespace
} // namespace halter::rt
