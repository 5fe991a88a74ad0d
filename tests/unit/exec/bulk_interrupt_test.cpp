// Bulk operations stop on a deadline or cancel as promptly as a loop
// (DESIGN §3.3): one huge operation, and loop-free runs of many, stop within
// the same bound; fuel is still charged up front; and the chunked work gives
// exactly what one memmove/memset would, overlaps included.
#include "checkpoint_harness.h"
#include "wat_fixture.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace halter::test {
namespace {

// Without chunks each of these runs for a second or far longer; a check
// point stops it in well under a millisecond. The bound leaves room for a
// loaded machine and sanitizers.
constexpr std::chrono::milliseconds kBound{200};

std::string repeat(const std::string &s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct BulkCase {
  const char *name;
  std::string wat;
};

std::vector<BulkCase> bulkCases() {
  std::vector<BulkCase> c;
  // 65536 pages: all of a 32-bit memory.
  c.push_back({"fill_4gib", R"((module (memory 65536)
    (func (export "run") (memory.fill (i32.const 0) (i32.const 7) (i32.const -1)))))"});
  c.push_back({"copy_4gib_up", R"((module (memory 65536)
    (func (export "run") (memory.copy (i32.const 0) (i32.const 1) (i32.const -2)))))"});
  c.push_back({"copy_4gib_down", R"((module (memory 65536)
    (func (export "run") (memory.copy (i32.const 1) (i32.const 0) (i32.const -2)))))"});
  // Loop-free runs of many operations, each below or near one chunk. Each
  // run takes a second or more uninterrupted on a fast machine (the stop
  // comes after kStopAfter), so a run that ends on its own is a missed stop,
  // not a fast machine: 100 fills of 256 MiB, 40,000 inits of 1 MiB spread
  // over 31 MiB (so they miss the cache).
  c.push_back({"fills_256mib_x100", "(module (memory 4096) (func (export \"run\") " +
                                        repeat("(memory.fill (i32.const 0) (i32.const 1) "
                                               "(i32.const 0x10000000))",
                                               100) +
                                        "))"});
  std::string inits;
  for (int i = 0; i < 40000; ++i) {
    inits += "(memory.init $d (i32.const " + std::to_string((i % 31) << 20) +
             ") (i32.const 0) (i32.const 0x100000))";
  }
  c.push_back({"inits_1mib_x40000", "(module (memory 512) (data $d \"" + repeat("\\01", 1 << 20) +
                                        "\") (func (export \"run\") " + inits + "))"});
  // Tables at the default element cap (10,000,000).
  c.push_back({"table_fill_10m_x200", "(module (table 10000000 funcref) (func (export \"run\") " +
                                          repeat("(table.fill 0 (i32.const 0) (ref.null func) "
                                                 "(i32.const 10000000))",
                                                 200) +
                                          "))"});
  c.push_back({"table_copy_10m_x200", "(module (table 10000000 funcref) (func (export \"run\") " +
                                          repeat("(table.copy (i32.const 1) (i32.const 0) "
                                                 "(i32.const 9999999))",
                                                 200) +
                                          "))"});
  c.push_back({"table_init_1m_x5000",
               "(module (table 1048576 funcref) (func $f) (elem $e func " + repeat("$f ", 1 << 20) +
                   ") (func (export \"run\") " +
                   repeat("(table.init $e (i32.const 0) (i32.const 0) (i32.const 1048576))", 5000) +
                   "))"});
  c.push_back({"table_grow_10m", R"((module (table 0 funcref)
    (func (export "run") (drop (table.grow 0 (ref.null func) (i32.const 9999999))))))"});
  return c;
}

class BulkInterrupt : public ::testing::TestWithParam<BulkCase> {};

TEST_P(BulkInterrupt, StopsWithinTheBoundOfALoop) {
  auto inst = instantiateWat(GetParam().wat);
  ASSERT_NE(inst, nullptr);
  for (bool metered : {false, true}) {
    for (StopBy how : {StopBy::Deadline, StopBy::Cancel}) {
      StopResult r = stopRunaway(GetParam().name, how, metered,
                                 [&](const CallOptions &o) { return inst->start("run", {}, o); });
      OutcomeKind want =
          how == StopBy::Deadline ? OutcomeKind::DeadlineExceeded : OutcomeKind::Cancelled;
      EXPECT_EQ(r.kind, want) << GetParam().name << " by " << stopByName(how)
                              << (metered ? " (metered): " : ": ") << outcomeKindName(r.kind);
      EXPECT_LT(r.late, kBound) << GetParam().name << " by " << stopByName(how);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, BulkInterrupt, ::testing::ValuesIn(bulkCases()),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(BulkFuel, StillChargedUpFrontInFull) {
  auto inst = instantiateWat(R"((module (memory 65536) (export "memory" (memory 0))
    (func (export "run") (memory.fill (i32.const 0) (i32.const 7) (i32.const -1)))))");
  ASSERT_NE(inst, nullptr);
  // Too little fuel for the whole fill: nothing is written.
  CallOptions few;
  few.limits = Limits{};
  few.limits->fuel = 1000;
  auto out = inst->call("run", {}, few);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->kind, OutcomeKind::OutOfFuel);
  auto mem = inst->getExport("memory");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->memoryBytes()[0], 0);
  // Enough fuel, stopped by the deadline part way: the whole fill was paid.
  constexpr uint64_t kGiven = uint64_t(1) << 40;
  CallOptions many;
  many.limits = Limits{};
  many.limits->fuel = kGiven;
  many.limits->timeout = std::chrono::milliseconds(2);
  auto ex = inst->start("run", {}, many);
  ASSERT_TRUE(ex.ok());
  auto out_late = ex->run();
  ASSERT_TRUE(out_late.ok());
  EXPECT_EQ(out_late->kind, OutcomeKind::DeadlineExceeded);
  EXPECT_LE(ex->fuelLeft(), kGiven - (uint64_t(UINT32_MAX) / 64));
  EXPECT_EQ(mem->memoryBytes()[0], 7);                        // a prefix written
  EXPECT_EQ(mem->memoryBytes()[uint64_t(UINT32_MAX) - 1], 0); // not the end
}

// Chunked copies read every source byte before overwriting it, in both
// directions, and fills, inits and table copies match one whole operation.
TEST(BulkChunks, MatchOneWholeOperation) {
  auto inst = instantiateWat(R"((module (memory 64) (export "memory" (memory 0))
    (table $t 200000 funcref) (type $v (func (result i32)))
    (func $f0 (result i32) (i32.const 1)) (func $f1 (result i32) (i32.const 2))
    (elem declare func $f0 $f1)
    (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
    (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
    (func (export "tmark") (param i32)
      (table.set $t (local.get 0) (ref.func $f0))
      (table.set $t (i32.add (local.get 0) (i32.const 1)) (ref.func $f1)))
    (func (export "tcopy") (param i32 i32 i32) (table.copy (local.get 0) (local.get 1) (local.get 2)))
    (func (export "tval") (param i32) (result i32)
      (if (result i32) (ref.is_null (table.get $t (local.get 0)))
        (then (i32.const 0)) (else (call_indirect $t (type $v) (local.get 0)))))))");
  ASSERT_NE(inst, nullptr);
  auto mem = inst->getExport("memory");
  ASSERT_TRUE(mem.ok());
  std::span<uint8_t> m = mem->memoryBytes();
  for (size_t i = 0; i < m.size(); ++i) m[i] = uint8_t(i * 7 + i / 251);
  std::vector<uint8_t> want(m.begin(), m.end());
  auto copy = [&](uint32_t d, uint32_t s, uint32_t n) {
    callOk(*inst, "copy", {Value::i32(d), Value::i32(s), Value::i32(n)});
    std::memmove(want.data() + d, want.data() + s, n);
    ASSERT_TRUE(std::equal(want.begin(), want.end(), m.begin())) << d << " " << s << " " << n;
  };
  copy(1000, 0, 3 << 20);        // up, overlapping, many chunks
  copy(0, 777, 3 << 20);         // down
  copy(5, 3, (1 << 20) + 12345); // close overlap
  copy(1 << 21, 0, 1 << 21);     // no overlap
  callOk(*inst, "fill", {Value::i32(100), Value::i32(0xAB), Value::i32((2 << 20) + 3)});
  std::memset(want.data() + 100, 0xAB, (2 << 20) + 3);
  EXPECT_TRUE(std::equal(want.begin(), want.end(), m.begin()));

  // Tables: mark (f0, f1) at 10, copy 150,000 elements up by 1000 and down.
  // Tables: a model of the table's values (0 null, 1 f0, 2 f1).
  std::vector<uint32_t> model(200000, 0);
  auto tcopy = [&](uint32_t d, uint32_t s, uint32_t n) {
    callOk(*inst, "tcopy", {Value::i32(d), Value::i32(s), Value::i32(n)});
    std::memmove(model.data() + d, model.data() + s, n * sizeof(uint32_t));
  };
  for (uint32_t at : {10u, 40000u, 99999u}) {
    callOk(*inst, "tmark", {Value::i32(at)});
    model[at] = 1;
    model[at + 1] = 2;
  }
  tcopy(1010, 0, 150000); // up, overlapping, several chunks
  tcopy(0, 1000, 150000); // down
  tcopy(3, 5, 100000);    // close overlap
  for (uint32_t i = 0; i < model.size(); i += 1 + i % 7) {
    ASSERT_EQ(callI32(*inst, "tval", {Value::i32(i)}), model[i]) << "table element " << i;
  }
}

// An interrupted table.grow leaves the table as it was (no half-grown table).
TEST(BulkChunks, InterruptedTableGrowKeepsTheOldSize) {
  auto inst = instantiateWat(R"((module (table $t 5 funcref)
    (func (export "grow") (drop (table.grow $t (ref.null func) (i32.const 9999990))))
    (func (export "size") (result i32) (table.size $t))))");
  ASSERT_NE(inst, nullptr);
  // The cancel comes a few milliseconds in, while the grow fills.
  StopResult r = stopRunaway("table.grow", StopBy::Cancel, false,
                             [&](const CallOptions &o) { return inst->start("grow", {}, o); });
  EXPECT_EQ(r.kind, OutcomeKind::Cancelled);
  EXPECT_EQ(callI32(*inst, "size"), 5u);
}

} // namespace
} // namespace halter::test
