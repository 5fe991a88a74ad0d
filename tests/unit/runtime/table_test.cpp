#include "runtime/table.h"
#include "runtime/type_registry.h"

#include <gtest/gtest.h>

#include <thread>

namespace halter::rt {
namespace {

TableType tableType(uint64_t min, std::optional<uint64_t> max) {
  return TableType{ValType::FuncRef, {min, max}};
}

TEST(Table, CreateFillsWithInit) {
  int marker = 0;
  auto t = Table::create(tableType(3, 10), &marker);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->size(), 3u);
  for (RefPtr p : (*t)->elems_) EXPECT_EQ(p, &marker);
}

TEST(Table, GrowRespectsMaximum) {
  auto t = Table::create(tableType(1, 4), nullptr);
  ASSERT_TRUE(t.ok());
  Table &table = **t;
  int marker = 0;
  EXPECT_EQ(table.grow(2, &marker), 1);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.type().limits.min, 3u);
  EXPECT_EQ(table.elems_[0], nullptr);
  EXPECT_EQ(table.elems_[2], &marker);
  EXPECT_EQ(table.grow(0, nullptr), 3);
  EXPECT_EQ(table.grow(2, nullptr), -1);
  EXPECT_EQ(table.size(), 3u);
}

TEST(Table, GrowIsBoundedWithoutMaximum) {
  auto t = Table::create(tableType(0, std::nullopt), nullptr);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->grow(0xFFFFFFF0u, nullptr), -1) << "the implementation cap refuses";
  EXPECT_EQ((*t)->size(), 0u);
  EXPECT_EQ((*t)->grow(1000, nullptr), 0);
}

TEST(Table, CapLimitsGrowthAndCreation) {
  auto t = Table::create(tableType(2, std::nullopt), nullptr, 5);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->grow(3, nullptr), 2);
  EXPECT_EQ((*t)->grow(1, nullptr), -1);
  auto too_big = Table::create(tableType(6, std::nullopt), nullptr, 5);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::ResourceLimit);
}

TEST(TypeRegistry, EqualTypesShareOnePointer) {
  FuncType a{{ValType::I32, ValType::I64}, {ValType::F32}};
  FuncType b = a;
  FuncType c{{ValType::I32}, {ValType::I64, ValType::F32}};
  FuncType empty;
  const FuncType *pa = internFuncType(a);
  EXPECT_EQ(pa, internFuncType(b));
  EXPECT_NE(pa, internFuncType(c));
  EXPECT_NE(internFuncType(c), internFuncType(empty));
  EXPECT_EQ(internFuncType(empty), internFuncType(FuncType{}));
  EXPECT_EQ(*pa, a);
}

TEST(TypeRegistry, ThreadSafe) {
  std::vector<const FuncType *> seen(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&seen, i] {
      for (int k = 0; k < 200; ++k) {
        FuncType t{{ValType::F64}, std::vector<ValType>(size_t(k % 7), ValType::I32)};
        const FuncType *p = internFuncType(t);
        if (k == 199) seen[size_t(i)] = p;
      }
    });
  }
  for (auto &t : threads) t.join();
  for (const FuncType *p : seen) EXPECT_EQ(p, seen[0]);
}

} // namespace
} // namespace halter::rt
