// Instance snapshots (Instance::snapshot, Linker::restore): a restored
// instance equals the one snapshotted; a snapshot that is truncated,
// corrupted, of another module, or forged with a valid checksum is refused
// or yields an instance that stays inside its memories and tables.
#include "common/hash64.h"
#include "support/wat.h"

#include "halter/halter.h"
#include "halter/pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

namespace halter {
namespace {

// tests/fuzz/snapshot_module.wat: state in every place a snapshot holds.
std::string statefulWat() {
  std::ifstream in(std::string(HALTER_SOURCE_DIR) + "/tests/fuzz/snapshot_module.wat");
  EXPECT_TRUE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Fixture {
  std::shared_ptr<const Module> module;
  std::shared_ptr<Instance> original;
};

Fixture setUp() {
  Fixture f;
  auto m = Module::compile(test::watToWasm(statefulWat()));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  if (!m.ok()) return f;
  f.module = *m;
  auto inst = Linker().instantiate(f.module);
  EXPECT_TRUE(inst.ok());
  if (!inst.ok()) return f;
  f.original = *inst;
  auto r = f.original->call("setup", {});
  EXPECT_TRUE(r.ok() && r->returned());
  return f;
}

Value callOne(Instance &inst, const char *name, std::vector<Value> args = {}) {
  auto r = inst.call(name, args);
  EXPECT_TRUE(r.ok()) << name;
  if (!r.ok() || !r->returned() || r->results.empty()) {
    ADD_FAILURE() << name << " did not return a value";
    return Value();
  }
  return r->results[0];
}

bool traps(Instance &inst, const char *name) {
  auto r = inst.call(name, {});
  return r.ok() && r->kind == OutcomeKind::Trapped;
}

std::span<uint8_t> memoryOf(Instance &inst) {
  auto mem = inst.getExport("memory");
  EXPECT_TRUE(mem.ok());
  return mem.ok() ? mem->memoryBytes() : std::span<uint8_t>();
}

// What a guest can read of the state without trapping (a trap would make
// a pool drop the instance).
void expectSameValues(Instance &a, Instance &b) {
  std::span<uint8_t> ma = memoryOf(a), mb = memoryOf(b);
  ASSERT_EQ(ma.size(), mb.size());
  EXPECT_EQ(std::memcmp(ma.data(), mb.data(), ma.size()), 0);
  EXPECT_EQ(callOne(a, "count").asI32(), callOne(b, "count").asI32());
  EXPECT_EQ(callOne(a, "big").asI64(), callOne(b, "big").asI64());
  EXPECT_EQ(callOne(a, "ratio").asF64(), callOne(b, "ratio").asF64());
  EXPECT_EQ(callOne(a, "fn_is_null").asI32(), callOne(b, "fn_is_null").asI32());
  EXPECT_EQ(callOne(a, "neg").asI32(), callOne(b, "neg").asI32());
  EXPECT_EQ(callOne(a, "negf").asF32(), callOne(b, "negf").asF32());
  EXPECT_EQ(callOne(a, "table_size").asI32(), callOne(b, "table_size").asI32());
}

// Everything a guest can observe of the state: the values, and which
// segments are dropped.
void expectSameState(Instance &a, Instance &b) {
  expectSameValues(a, b);
  EXPECT_EQ(traps(a, "reinit"), traps(b, "reinit"));
  EXPECT_EQ(traps(a, "retable"), traps(b, "retable"));
}

TEST(Snapshot, ARestoredInstanceEqualsTheOriginal) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  for (bool compress : {true, false}) {
    SnapshotOptions o;
    o.compress = compress;
    auto bytes = f.original->snapshot(o);
    ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
    auto copy = Linker().restore(f.module, *bytes);
    ASSERT_TRUE(copy.ok()) << copy.error().describe();
    EXPECT_EQ(memoryOf(**copy).size(), 4 * kPageSize);
    EXPECT_EQ(callOne(**copy, "load", {Value::i32(100)}).asI32(), 0x11223344);
    EXPECT_EQ(callOne(**copy, "load", {Value::i32(196600)}).asI32(), 0x55667788);
    EXPECT_EQ(std::memcmp(memoryOf(**copy).data() + 70000, "seven77", 7), 0);
    EXPECT_EQ(callOne(**copy, "count").asI32(), 3);
    EXPECT_EQ(int32_t(callOne(**copy, "neg").asI32()), -42);
    EXPECT_EQ(callOne(**copy, "negf").asF32(), -1.5f);
    EXPECT_EQ(callOne(**copy, "table_size").asI32(), 6);
    EXPECT_TRUE(traps(**copy, "reinit")) << "the dropped data segment came back";
    EXPECT_TRUE(traps(**copy, "retable")) << "the dropped element segment came back";
    expectSameState(*f.original, **copy);
    // The table's functions are the restored instance's own: bump (slot 1)
    // moves its counter, not the original's.
    EXPECT_EQ(callOne(**copy, "call_slot", {Value::i32(1)}).asI32(), 4);
    EXPECT_EQ(callOne(**copy, "call_slot", {Value::i32(5)}).asI32(), 8); // twice
    EXPECT_EQ(callOne(*f.original, "count").asI32(), 3);
  }
}

// A restored instance resets to the snapshot's state, not the module's:
// a snapshot after an expensive init is a reset point after it.
TEST(Snapshot, ARestoredInstanceResetsToTheSnapshot) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  auto bytes = f.original->snapshot();
  ASSERT_TRUE(bytes.ok());
  auto copy = Linker().restore(f.module, *bytes);
  ASSERT_TRUE(copy.ok());
  for (int round = 0; round < 3; ++round) {
    // Change everything setup set: the counter, memory past the image,
    // the table through call_slot, another grow.
    EXPECT_EQ(callOne(**copy, "call_slot", {Value::i32(1)}).asI32(), 4);
    memoryOf(**copy)[100] = 0xEE;
    memoryOf(**copy)[3 * kPageSize + 10] = 0xDD;
    ASSERT_TRUE((*copy)->reset().ok());
    expectSameState(*f.original, **copy);
  }
  // And a snapshot of the restored instance restores the same state again.
  auto again = (*copy)->snapshot();
  ASSERT_TRUE(again.ok());
  auto second = Linker().restore(f.module, *again);
  ASSERT_TRUE(second.ok());
  expectSameState(*f.original, **second);
}

// Instances restored from one Snapshot share its memory image
// copy-on-write: a write to one is not seen by another, before or after
// resets.
TEST(Snapshot, InstancesOfOneSnapshotDoNotSeeEachOthersWrites) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  auto bytes = f.original->snapshot();
  ASSERT_TRUE(bytes.ok());
  auto snap = Snapshot::read(f.module, *bytes);
  ASSERT_TRUE(snap.ok()) << snap.error().describe();
  auto a = Linker().restore(**snap);
  auto b = Linker().restore(**snap);
  ASSERT_TRUE(a.ok() && b.ok());
  for (int round = 0; round < 3; ++round) {
    memoryOf(**a)[100] = uint8_t(0xA0 + round);
    memoryOf(**a)[70000] = 'X';
    EXPECT_EQ(callOne(**b, "load", {Value::i32(100)}).asI32(), 0x11223344);
    EXPECT_EQ(memoryOf(**b)[70000], 's');
    EXPECT_EQ(callOne(**a, "call_slot", {Value::i32(1)}).asI32(), 4);
    EXPECT_EQ(callOne(**b, "count").asI32(), 3);
    ASSERT_TRUE((*a)->reset().ok());
    expectSameState(*f.original, **a);
    expectSameState(*f.original, **b);
  }
}

TEST(Snapshot, APoolCanUseASnapshotAsItsResetPoint) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  PoolOptions o;
  auto bytes = f.original->snapshot();
  ASSERT_TRUE(bytes.ok());
  o.reset_snapshot = *bytes;
  o.max_warm = 1;
  auto pool = InstancePool::create(f.module, Linker(), o);
  ASSERT_TRUE(pool.ok()) << pool.error().describe();
  for (int i = 0; i < 5; ++i) {
    auto lease = (*pool)->lease();
    ASSERT_TRUE(lease.ok());
    // Every lease starts from the snapshot (the counter at setup's 3), and
    // moves it on before it goes back.
    expectSameValues(*f.original, lease->instance());
    EXPECT_EQ(callOne(lease->instance(), "call_slot", {Value::i32(1)}).asI32(), 4) << i;
  }
  EXPECT_EQ((*pool)->stats().created, 1u);
  PoolOptions bad;
  bad.reset_snapshot = {1, 2, 3};
  auto refused = InstancePool::create(f.module, Linker(), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidSnapshot);
}

TEST(Snapshot, OnlyNonZeroBlocksAreStored) {
  auto m = Module::compile(test::watToWasm(R"((module
    (memory (export "memory") 1024)
    (func (export "touch") (i32.store8 (i32.const 40000000) (i32.const 1)))))"));
  ASSERT_TRUE(m.ok());
  auto inst = Linker().instantiate(*m);
  ASSERT_TRUE(inst.ok());
  ASSERT_TRUE((*inst)->call("touch", {}).ok());
  SnapshotOptions raw;
  raw.compress = false;
  auto bytes = (*inst)->snapshot(raw);
  ASSERT_TRUE(bytes.ok());
  EXPECT_LT(bytes->size(), 8192u) << "64 MiB with one byte set";
  auto copy = Linker().restore(*m, *bytes);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(memoryOf(**copy)[40000000], 1);
  EXPECT_EQ(memoryOf(**copy).size(), 1024 * kPageSize);
}

TEST(Snapshot, ReferencesWithoutANameAreRefused) {
  auto m = Module::compile(test::watToWasm(R"((module
    (global $e (export "e") (mut externref) (ref.null extern))
    (func (export "set") (param externref) (global.set $e (local.get 0)))))"));
  ASSERT_TRUE(m.ok());
  auto inst = Linker().instantiate(*m);
  ASSERT_TRUE(inst.ok());
  EXPECT_TRUE((*inst)->snapshot().ok()); // null is fine
  int host_object = 0;
  ASSERT_TRUE((*inst)->call("set", {{Value::ref(ValType::ExternRef, &host_object)}}).ok());
  auto refused = (*inst)->snapshot();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(refused.error().message.find("global 0"), std::string::npos) << refused.error().message;
}

TEST(Snapshot, AnotherModulesSnapshotIsRefused) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  auto bytes = f.original->snapshot();
  ASSERT_TRUE(bytes.ok());
  auto other = Module::compile(test::watToWasm("(module (memory 2 16))"));
  ASSERT_TRUE(other.ok());
  auto r = Linker().restore(*other, *bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidSnapshot);
  EXPECT_NE(r.error().message.find("another module"), std::string::npos) << r.error().message;
}

TEST(Snapshot, LimitsOfTheRestorerHold) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  auto bytes = f.original->snapshot();
  ASSERT_TRUE(bytes.ok());
  Limits small;
  small.max_memory_bytes = 3 * kPageSize; // the snapshot has 4 pages
  auto r = Linker().restore(f.module, *bytes, small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidSnapshot);
  Limits table;
  table.max_table_elements = 5; // the snapshot's table has 6
  EXPECT_FALSE(Linker().restore(f.module, *bytes, table).ok());
}

TEST(Snapshot, TruncatedAtEveryOffsetAndEveryBitFlippedAreRefused) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  for (bool compress : {true, false}) {
    SnapshotOptions o;
    o.compress = compress;
    auto bytes = f.original->snapshot(o);
    ASSERT_TRUE(bytes.ok());
    for (size_t n = 0; n < bytes->size(); ++n) {
      auto r = Linker().restore(f.module, std::span<const uint8_t>(bytes->data(), n));
      ASSERT_FALSE(r.ok()) << "truncated at " << n;
      ASSERT_EQ(r.error().code, ErrorCode::InvalidSnapshot) << r.error().message;
    }
    // Every bit of a compressed one; every 7th of the larger raw one.
    const size_t step = compress ? 1 : 7;
    for (size_t bit = 0; bit < bytes->size() * 8; bit += step) {
      std::vector<uint8_t> copy = *bytes;
      copy[bit / 8] ^= uint8_t(1u << (bit % 8));
      auto r = Linker().restore(f.module, copy);
      ASSERT_FALSE(r.ok()) << "bit " << bit;
      ASSERT_EQ(r.error().code, ErrorCode::InvalidSnapshot);
    }
  }
}

// A hostile snapshot passes the checksum (anyone can compute it): what it
// holds must still be refused or stay inside the instance. Random changes
// to a real uncompressed body, the checksum fixed up each time.
TEST(Snapshot, ForgedBodiesWithAValidChecksumStayInside) {
  Fixture f = setUp();
  ASSERT_TRUE(f.original);
  SnapshotOptions raw;
  raw.compress = false;
  auto bytes = f.original->snapshot(raw);
  ASSERT_TRUE(bytes.ok());
  std::mt19937 rng(12);
  int restored = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> forged = *bytes;
    const size_t body = 48, end = forged.size() - 8;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = body + rng() % (end - body);
      switch (rng() % 3) {
      case 0:
        forged[at] = uint8_t(rng());
        break;
      case 1: // a small or huge 32-bit field
        if (at + 4 <= end) {
          uint32_t v = rng() % 2 ? rng() % 16 : uint32_t(rng());
          std::memcpy(&forged[at], &v, 4);
        }
        break;
      default:
        forged[at] ^= 0x80;
      }
    }
    uint64_t sum = hash64(std::span<const uint8_t>(forged.data(), end));
    std::memcpy(&forged[end], &sum, 8);
    auto r = Linker().restore(f.module, forged);
    if (!r.ok()) {
      ASSERT_EQ(r.error().code, ErrorCode::InvalidSnapshot) << r.error().message;
      continue;
    }
    ++restored;
    // Whatever it holds, it runs inside its own memory and table.
    ASSERT_LE(memoryOf(**r).size(), 16 * kPageSize);
    for (int slot = 0; slot < 10; ++slot) {
      auto c = (*r)->call("call_slot", {{Value::i32(slot)}});
      ASSERT_TRUE(c.ok());
    }
    ASSERT_TRUE((*r)->call("load", {{Value::i32(65532)}}).ok());
  }
  EXPECT_GT(restored, 100) << "the forged bodies never got past the first checks";
}

} // namespace
} // namespace halter
