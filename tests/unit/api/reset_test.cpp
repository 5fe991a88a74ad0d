// Instance::reset (DESIGN §6): after any sequence of guest operations, a
// trap included, a reset instance equals a fresh instance of the same
// module, byte for byte, global for global and element for element; memory
// shrinks and its touched pages go back to the system; reset is refused
// where it would be unsafe.
#include "support/wat.h"

#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <sys/mman.h>
#include <unistd.h>

namespace halter {
namespace {

// Everything a guest can change, each reachable from an export.
constexpr const char *kMutable = R"((module
  (memory (export "mem") 1 64)
  (table (export "tab") 4 64 funcref)
  (global $g0 (export "g0") (mut i32) (i32.const 11))
  (global $g1 (export "g1") (mut i64) (i64.const 22))
  (global $g2 (export "g2") (mut f64) (f64.const 3.5))
  (global $starts (export "starts") (mut i32) (i32.const 0))
  (func $f (result i32) (i32.const 5))
  (func $h (result i32) (i32.const 6))
  (elem (i32.const 1) $f $h)
  (elem $passive func $h $f $h)
  (data (i32.const 100) "active bytes")
  (data (i32.const 65530) "end!")
  (data $pdata "passive data")
  (func $start
    (global.set $starts (i32.add (global.get $starts) (i32.const 1)))
    (i32.store (i32.const 200) (i32.const 0x12345678)))
  (start $start)
  (func (export "store") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "set0") (param i32) (global.set $g0 (local.get 0)))
  (func (export "set1") (param i64) (global.set $g1 (local.get 0)))
  (func (export "set2") (param f64) (global.set $g2 (local.get 0)))
  (func (export "tgrow") (param i32) (result i32) ref.func $h local.get 0 table.grow 0)
  (func (export "tset") (param i32) local.get 0 ref.func $f table.set 0)
  (func (export "tinit") (param i32) local.get 0 i32.const 0 i32.const 3 table.init 0 $passive)
  (func (export "minit") (param i32) (memory.init $pdata (local.get 0) (i32.const 0) (i32.const 12)))
  (func (export "ddrop") (data.drop $pdata))
  (func (export "edrop") (elem.drop $passive))
  (func (export "trap") unreachable))
)";

rt::Instance &engine(Instance &inst) {
  return *detail::ApiAccess::impl(inst);
}

// A reference as something two instances can compare: the function index
// in its own instance, -1 for null.
int64_t refKey(RefPtr r) {
  return r == nullptr ? -1 : int64_t(static_cast<const rt::Function *>(r)->func_index);
}

void expectSameState(Instance &got_api, Instance &want_api, const std::string &when) {
  SCOPED_TRACE(when);
  rt::Instance &got = engine(got_api), &want = engine(want_api);
  ASSERT_EQ(got.memories.size(), want.memories.size());
  for (size_t i = 0; i < got.memories.size(); ++i) {
    ASSERT_EQ(got.memories[i]->sizeBytes(), want.memories[i]->sizeBytes()) << "memory " << i;
    EXPECT_EQ(got.memories[i]->type().limits.min, want.memories[i]->type().limits.min);
    EXPECT_EQ(std::memcmp(got.memories[i]->data(), want.memories[i]->data(),
                          got.memories[i]->sizeBytes()),
              0)
        << "memory " << i << " bytes differ";
  }
  ASSERT_EQ(got.tables.size(), want.tables.size());
  for (size_t i = 0; i < got.tables.size(); ++i) {
    ASSERT_EQ(got.tables[i]->size(), want.tables[i]->size()) << "table " << i;
    for (size_t k = 0; k < got.tables[i]->elems_.size(); ++k)
      EXPECT_EQ(refKey(got.tables[i]->elems_[k]), refKey(want.tables[i]->elems_[k]))
          << "table " << i << " element " << k;
  }
  ASSERT_EQ(got.globals.size(), want.globals.size());
  for (size_t i = 0; i < got.globals.size(); ++i)
    EXPECT_EQ(got.globals[i]->get(), want.globals[i]->get()) << "global " << i;
  EXPECT_EQ(got.data_dropped, want.data_dropped);
  ASSERT_EQ(got.elem_segments.size(), want.elem_segments.size());
  for (size_t i = 0; i < got.elem_segments.size(); ++i) {
    ASSERT_EQ(got.elem_segments[i].size(), want.elem_segments[i].size()) << "segment " << i;
    for (size_t k = 0; k < got.elem_segments[i].size(); ++k)
      EXPECT_EQ(refKey(got.elem_segments[i][k]), refKey(want.elem_segments[i][k]));
  }
}

std::shared_ptr<Instance> fresh(const std::shared_ptr<const Module> &m) {
  auto inst = Linker().instantiate(m);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  return inst.ok() ? *inst : nullptr;
}

// With memory images (the default) or copying the data segments.
std::shared_ptr<const Module> compileMutable(bool memory_images = true) {
  CompileOptions options;
  options.memory_images = memory_images;
  auto m = Module::compile(test::watToWasm(kMutable), options);
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? *m : nullptr;
}

// One random guest operation; traps (out of bounds, dropped segments,
// unreachable) are part of the mix.
void randomOperation(Instance &inst, std::mt19937 &rng) {
  auto i32 = [](uint32_t v) { return Value::i32(v); };
  uint32_t size = uint32_t(engine(inst).memories[0]->sizeBytes());
  uint32_t addr = rng() % (size + 64); // now and then past the end
  Result<Outcome> r = Outcome{};
  switch (rng() % 13) {
  case 0:
  case 1: {
    Value args[] = {i32(addr), Value::i64((uint64_t(rng()) << 32) | rng())};
    r = inst.call("store", args);
    break;
  }
  case 2: {
    Value args[] = {i32(addr), i32(rng() % 256), i32(rng() % 70000)};
    r = inst.call("fill", args);
    break;
  }
  case 3: {
    Value args[] = {i32(rng() % 4)};
    r = inst.call("grow", args);
    break;
  }
  case 4: {
    Value args[] = {i32(rng())};
    r = inst.call("set0", args);
    break;
  }
  case 5: {
    Value args[] = {Value::i64(rng())};
    r = inst.call("set1", args);
    break;
  }
  case 6: {
    Value args[] = {Value::f64(double(rng()) / 7)};
    r = inst.call("set2", args);
    break;
  }
  case 7: {
    Value args[] = {i32(rng() % 5)};
    r = inst.call("tgrow", args);
    break;
  }
  case 8: {
    Value args[] = {i32(rng() % (engine(inst).tables[0]->size() + 2))};
    r = inst.call("tset", args);
    break;
  }
  case 9: {
    Value args[] = {i32(rng() % 8)};
    r = inst.call(rng() % 2 ? "tinit" : "minit", args);
    break;
  }
  case 10:
    r = inst.call(rng() % 2 ? "ddrop" : "edrop", {});
    break;
  case 11:
    r = inst.call("trap", {});
    break;
  default: {
    Value args[] = {i32(addr), i32(0xAB), i32(4096)};
    r = inst.call("fill", args);
  }
  }
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(r->returned() || r->trapped()) << outcomeKindName(r->kind);
}

// The oracle is made the other way (copied segments against a memory
// image, and back), so the two paths check each other too.
class ResetPaths : public testing::TestWithParam<bool> {};

TEST_P(ResetPaths, AfterRandomOperationsEqualsAFreshInstance) {
  auto module = compileMutable(GetParam());
  auto other = compileMutable(!GetParam());
  ASSERT_TRUE(module && other);
  auto inst = fresh(module);
  auto oracle = fresh(other); // start function run, as after instantiate
  ASSERT_TRUE(inst && oracle);
  EXPECT_EQ(engine(*inst).memories[0]->fromImage(), GetParam());
  std::mt19937 rng(20261202);
  for (int round = 0; round < 40; ++round) {
    int ops = 1 + int(rng() % 120);
    for (int k = 0; k < ops; ++k) randomOperation(*inst, rng);
    if (round % 3 == 0) (void)inst->call("trap", {}); // end on a trap
    ResetOptions options;
    options.run_start = true;
    auto reset = inst->reset(options);
    ASSERT_TRUE(reset.ok()) << reset.error().describe();
    expectSameState(*inst, *oracle, "round " + std::to_string(round));
    if (HasFatalFailure() || HasFailure()) return;
  }
}

TEST(Reset, WithoutItsStartFunctionTheStartsEffectsAreGone) {
  auto module = compileMutable();
  ASSERT_TRUE(module);
  auto inst = fresh(module);
  ASSERT_TRUE(inst);
  EXPECT_EQ(inst->getGlobal("starts")->asI32(), 1u);
  ASSERT_TRUE(inst->reset().ok());
  EXPECT_EQ(inst->getGlobal("starts")->asI32(), 0u);
  uint32_t word = 1;
  std::memcpy(&word, engine(*inst).memories[0]->data() + 200, 4);
  EXPECT_EQ(word, 0u);
  ResetOptions again;
  again.run_start = true;
  ASSERT_TRUE(inst->reset(again).ok());
  EXPECT_EQ(inst->getGlobal("starts")->asI32(), 1u); // once, not twice
}

size_t hostPage() {
  return size_t(sysconf(_SC_PAGESIZE));
}

TEST_P(ResetPaths, MemoryShrinksAndGrownPagesGoBack) {
  auto module = compileMutable(GetParam());
  ASSERT_TRUE(module);
  auto inst = fresh(module);
  ASSERT_TRUE(inst);
  Value grow[] = {Value::i32(63)};
  ASSERT_EQ(inst->call("grow", grow)->results[0].asI32(), 1u);
  Value fill[] = {Value::i32(0), Value::i32(0x5A), Value::i32(64 * 65536)};
  ASSERT_TRUE(inst->call("fill", fill)->returned());
  rt::Memory &mem = *engine(*inst).memories[0];
  EXPECT_GE(test::privatePages(mem.data(), mem.sizeBytes()), 64 * 65536 / hostPage());
  ASSERT_TRUE(inst->reset().ok());
  EXPECT_EQ(mem.sizeBytes(), 65536u);
  // What grew is handed back; the initial page's 16 written host pages are
  // few, so they are rewritten in place and stay resident for the next use.
  EXPECT_EQ(test::privatePages(mem.data() + 65536, 63 * 65536), 0u);
  EXPECT_LE(test::privatePages(mem.data(), 65536), 65536 / hostPage());
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(mem.data()) + 100, 12), "active bytes");
  EXPECT_EQ(mem.data()[50], 0);
  // The memory can grow again, and reads zeros where the fill was.
  ASSERT_EQ(inst->call("grow", grow)->results[0].asI32(), 1u);
  EXPECT_EQ(mem.data()[5 * 65536], 0);
}

// A memory of `pages` wasm pages with data at its start and its end, and a
// fill export.
std::shared_ptr<const Module> compileSized(uint32_t pages, bool memory_images) {
  std::string wat = "(module (memory " + std::to_string(pages) +
                    ") (data (i32.const 8) \"start\") (data (i32.const " +
                    std::to_string(pages * 65536 - 3) +
                    ") \"end\") (func (export \"fill\") (param i32 i32 i32) "
                    "(memory.fill (local.get 0) (local.get 1) (local.get 2))))";
  CompileOptions options;
  options.memory_images = memory_images;
  auto m = Module::compile(test::watToWasm(wat), options);
  EXPECT_TRUE(m.ok()) << m.error().describe();
  return m.ok() ? *m : nullptr;
}

// Past the in-place limits (2 MiB written, or a memory above 8 MiB), the
// written pages go back to the system.
TEST_P(ResetPaths, ManyWrittenPagesOrALargeMemoryGoBack) {
  struct Case {
    uint32_t pages;      // memory size
    uint32_t fill_bytes; // written from 0
  };
  for (Case c : {Case{40, 40 * 65536}, Case{200, 65536}}) {
    SCOPED_TRACE(std::to_string(c.pages) + " pages, " + std::to_string(c.fill_bytes) + " written");
    auto module = compileSized(c.pages, GetParam());
    ASSERT_TRUE(module);
    auto inst = fresh(module);
    auto oracle = fresh(module);
    ASSERT_TRUE(inst && oracle);
    Value fill[] = {Value::i32(0), Value::i32(0xA5), Value::i32(c.fill_bytes)};
    ASSERT_TRUE(inst->call("fill", fill)->returned());
    rt::Memory &mem = *engine(*inst).memories[0];
    EXPECT_GE(test::privatePages(mem.data(), mem.sizeBytes()), c.fill_bytes / hostPage());
    ASSERT_TRUE(inst->reset().ok());
    // Copied segments rewrite the two pages they sit in.
    EXPECT_LE(test::privatePages(mem.data(), mem.sizeBytes()), GetParam() ? 0u : 2u);
    rt::Memory &fresh_mem = *engine(*oracle).memories[0];
    EXPECT_EQ(std::memcmp(mem.data(), fresh_mem.data(), mem.sizeBytes()), 0);
  }
}

// Written pages rewritten in place hold exactly a fresh instance's bytes,
// across repeated resets that write different pages each time.
TEST_P(ResetPaths, InPlaceRestoreOverManyRounds) {
  auto module = compileSized(4, GetParam());
  ASSERT_TRUE(module);
  auto inst = fresh(module);
  auto oracle = fresh(module);
  ASSERT_TRUE(inst && oracle);
  rt::Memory &mem = *engine(*inst).memories[0];
  rt::Memory &fresh_mem = *engine(*oracle).memories[0];
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    for (int k = 0; k < 1 + int(rng() % 6); ++k) {
      uint32_t at = rng() % (4 * 65536);
      uint32_t len = std::min<uint32_t>(rng() % 9000, 4 * 65536 - at);
      Value fill[] = {Value::i32(at), Value::i32(rng() % 256), Value::i32(len)};
      ASSERT_TRUE(inst->call("fill", fill)->returned());
    }
    ASSERT_TRUE(inst->reset().ok());
    ASSERT_EQ(std::memcmp(mem.data(), fresh_mem.data(), mem.sizeBytes()), 0) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Reset, ResetPaths, testing::Bool(),
                         [](const testing::TestParamInfo<bool> &p) {
                           return p.param ? "MemoryImage" : "CopiedSegments";
                         });

TEST(Reset, RefusedWhileAnExecutionIsParked) {
  auto inst = test::instantiate(R"((module (func (export "spin") (loop br 0))))");
  ASSERT_TRUE(inst);
  CallOptions options;
  options.limits = Limits{};
  options.limits->fuel = 1000;
  auto ex = inst->start("spin", {}, options);
  ASSERT_TRUE(ex.ok());
  auto out = ex->run();
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->kind, OutcomeKind::OutOfFuel);
  auto r = inst->reset();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::ReentrantCall);
  { Execution dropped = std::move(*ex); } // the instance is free again
  EXPECT_TRUE(inst->reset().ok());
}

TEST(Reset, RefusedFromInsideItsOwnCall) {
  Linker linker;
  std::shared_ptr<Instance> inst;
  Result<void> inner = okResult();
  linker.defineFunc("env", "host", FuncType{}, [&](CallContext &, auto, auto) {
    inner = inst->reset();
    return HostResult::ok();
  });
  inst = test::instantiate(R"((module (import "env" "host" (func $h))
    (memory 1) (func (export "f") (call $h))))",
                           linker);
  ASSERT_TRUE(inst);
  ASSERT_TRUE(inst->call("f", {})->returned());
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.error().code, ErrorCode::InstanceBusy);
  EXPECT_TRUE(inst->reset().ok());
}

TEST(Reset, RefusedWhenAnotherInstanceImportsItsMemoryOrTable) {
  for (const char *what : {"memory", "table"}) {
    SCOPED_TRACE(what);
    std::string exporter = std::string("(module (") + what + " (export \"x\") 1" +
                           (std::string(what) == "table" ? " funcref" : "") + "))";
    auto a = test::instantiate(exporter);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->reset().ok()); // alone
    Linker linker;
    linker.defineInstance("a", *a);
    auto b = test::instantiate(std::string("(module (import \"a\" \"x\" (") + what + " 1" +
                                   (std::string(what) == "table" ? " funcref" : "") + ")))",
                               linker);
    ASSERT_TRUE(b);
    auto r = a->reset();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().message.find("imports its"), std::string::npos) << r.error().message;
    EXPECT_TRUE(b->reset().ok()); // the importer resets: imports are not its own
  }
}

} // namespace
} // namespace halter
