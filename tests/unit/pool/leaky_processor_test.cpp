// A DAGwood-style processor that leaks 4 KiB per call
// (tests/guests/leaky_processor.c): 10,000 calls through a pool stay flat
// in process RSS, because each return resets the instance; the same calls on
// one instance that is never reset grow its memory by about 40 MB.
#include "support/wat.h"

#include "halter/pool.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace halter {
namespace {

std::shared_ptr<const Module> leaky() {
  std::ifstream in(HALTER_TEST_GUEST_DIR "/leaky_processor.wasm", std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  auto m = Module::compile(bytes);
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? *m : nullptr;
}

// The C-style call sequence (../shared/dagwood-compat.md §4.2): the output
// of process() for `input`, or empty on any failure.
std::string processOnce(Instance &inst, const std::string &input) {
  auto alloc = inst.typed<int32_t(int32_t)>("allocate");
  auto dealloc = inst.typed<void(int32_t, int32_t)>("deallocate");
  auto process = inst.typed<int32_t(int32_t, int32_t, int32_t)>("process");
  auto mem = inst.getExport("memory");
  if (!alloc || !dealloc || !process || !mem) return {};
  int32_t len = int32_t(input.size());
  auto in = (*alloc)(len);
  auto lp = (*alloc)(4);
  if (!in.ok() || !lp.ok() || *in == 0 || *lp == 0) return {};
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(input.data()), input.size());
  if (!mem->write(uint32_t(*in), bytes).ok()) return {};
  auto r = (*process)(*in, len, *lp);
  if (!r.ok() || *r == 0) return {};
  (void)(*dealloc)(*in, len);
  uint8_t lb[4];
  if (!mem->read(uint32_t(*lp), lb).ok()) return {};
  int32_t out_len;
  std::memcpy(&out_len, lb, 4);
  (void)(*dealloc)(*lp, 4);
  std::string out(size_t(out_len), '\0');
  if (!mem->read(uint32_t(*r), {reinterpret_cast<uint8_t *>(out.data()), out.size()}).ok())
    return {};
  (void)(*dealloc)(*r, out_len);
  return out;
}

TEST(LeakyProcessor, PooledCallsKeepRssFlatAndOneInstanceGrows) {
  auto module = leaky();
  ASSERT_TRUE(module);
  constexpr int kCalls = 10000;
  auto pool = InstancePool::create(module, Linker());
  ASSERT_TRUE(pool.ok());
  {
    auto warm = (*pool)->lease(); // the first instance, outside the measure
    ASSERT_TRUE(warm.ok());
    ASSERT_EQ(processOnce(warm->instance(), "warm"), "WARM");
  }
  size_t before = test::residentBytes();
  size_t peak = before;
  for (int i = 0; i < kCalls; ++i) {
    auto lease = (*pool)->lease();
    ASSERT_TRUE(lease.ok());
    ASSERT_EQ(processOnce(lease->instance(), "hello dag " + std::to_string(i)),
              "HELLO DAG " + std::to_string(i));
    if (i % 500 == 0) peak = std::max(peak, test::residentBytes());
  }
  PoolStats s = (*pool)->stats();
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(s.resets, uint64_t(kCalls) + 1);
  // The bound: 8 MiB of RSS growth over the whole run (the guest's memory
  // never passes its initial size plus one page).
  EXPECT_LT(peak - before, size_t(8) << 20);

  auto alone = Linker().instantiate(module);
  ASSERT_TRUE(alone.ok());
  size_t start_memory = (*alone)->stats().memory_bytes;
  EXPECT_LE(s.peak_memory_bytes, start_memory + 65536);
  size_t rss_before = test::residentBytes();
  for (int i = 0; i < kCalls; ++i) ASSERT_EQ(processOnce(**alone, "x"), "X");
  uint64_t grown = (*alone)->stats().memory_bytes - start_memory;
  EXPECT_GE(grown, uint64_t(kCalls) * 4096);
  size_t rss_growth = test::residentBytes() - rss_before;
  EXPECT_GT(rss_growth, size_t(35) << 20);
  // The figures bench/RESULTS.md records.
  std::printf("pooled: %d calls, RSS +%.2f MiB at peak, guest memory peak %zu bytes "
              "(initial %zu)\n"
              "one instance, never reset: guest memory +%.1f MB, RSS +%.1f MiB\n",
              kCalls, double(peak - before) / (1 << 20), size_t(s.peak_memory_bytes), start_memory,
              double(grown) / 1e6, double(rss_growth) / (1 << 20));
}

} // namespace
} // namespace halter
