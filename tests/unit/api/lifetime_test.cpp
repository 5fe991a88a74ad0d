// Instance lifetimes across links (runtime/lifetime_group.h): an instance
// whose functions may sit in another instance's table or global lives as long
// as that one; everything is freed with the last handle; unrelated instances
// sharing only host objects are freed independently. Run under ASan/LSan to
// catch a use after free or a leak.
#include "runtime/api_access.h"
#include "support/wat.h"

#include "halter/halter.h"
#include "runtime/global.h"
#include "runtime/instance.h"
#include "runtime/lifetime_group.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

using test::watToWasm;

std::shared_ptr<Instance> instantiate(const Linker &linker, const std::string &wat) {
  auto m = Module::compile(watToWasm(wat));
  EXPECT_TRUE(m.ok()) << m.error().describe();
  if (!m.ok()) return nullptr;
  auto inst = linker.instantiate(*m);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  return inst.ok() ? *inst : nullptr;
}

std::weak_ptr<rt::LifetimeGroup> weakGroup(const Instance &inst) {
  return rt::groupOf(*detail::ApiAccess::impl(inst));
}

// A defined global of the instance: it dies with the instance (nothing else
// shares it), so its weak_ptr tells whether the instance was destroyed.
std::weak_ptr<rt::Global> ownGlobal(const Instance &inst, size_t index) {
  return detail::ApiAccess::impl(inst)->globals.at(index);
}

int32_t callI32(Instance &inst, std::string_view name, std::span<const Value> args = {}) {
  auto out = inst.call(name, args);
  EXPECT_TRUE(out.ok()) << out.error().describe();
  if (!out.ok()) return -1;
  EXPECT_TRUE(out->returned()) << out->trap.describe();
  if (!out->returned() || out->results.size() != 1) return -1;
  return int32_t(out->results[0].asI32());
}

constexpr const char *kTableOwner = R"((module
  (table (export "tab") 2 funcref)
  (global $marker i32 (i32.const 0))
  (type $t (func (result i32)))
  (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))))";

constexpr const char *kTableWriter = R"((module
  (import "A" "tab" (table 2 funcref))
  (global $marker i32 (i32.const 0))
  (func $f (result i32) i32.const 77)
  (elem (i32.const 1) $f)))";

TEST(Lifetime, ImporterWritingIntoTableLivesWithTheTable) {
  Linker linker;
  auto a = instantiate(linker, kTableOwner);
  ASSERT_TRUE(a);
  linker.defineInstance("A", *a);
  auto b = instantiate(linker, kTableWriter);
  ASSERT_TRUE(b);
  EXPECT_EQ(rt::groupOf(*detail::ApiAccess::impl(*a)), rt::groupOf(*detail::ApiAccess::impl(*b)))
      << "importing a table merges";
  std::weak_ptr<rt::Global> b_alive = ownGlobal(*b, 0);

  b.reset();
  linker = Linker(); // the linker held A's exports (and so its group)
  EXPECT_FALSE(b_alive.expired()) << "A's table refers to B's function";
  Value one[] = {Value::i32(1)};
  EXPECT_EQ(callI32(*a, "call", one), 77);
}

TEST(Lifetime, DroppingAllHandlesFreesTheWholeGroup) {
  std::weak_ptr<rt::LifetimeGroup> group;
  std::weak_ptr<rt::Global> a_alive, b_alive;
  {
    Linker linker;
    auto a = instantiate(linker, kTableOwner);
    ASSERT_TRUE(a);
    linker.defineInstance("A", *a);
    auto b = instantiate(linker, kTableWriter);
    ASSERT_TRUE(b);
    group = weakGroup(*a);
    a_alive = ownGlobal(*a, 0);
    b_alive = ownGlobal(*b, 0);
    ASSERT_FALSE(group.expired());
  }
  EXPECT_TRUE(group.expired());
  EXPECT_TRUE(a_alive.expired());
  EXPECT_TRUE(b_alive.expired());
}

TEST(Lifetime, FailedInstantiationIsFreedWithTheGroup) {
  std::weak_ptr<rt::LifetimeGroup> group;
  {
    Linker linker;
    auto a = instantiate(linker, kTableOwner);
    ASSERT_TRUE(a);
    linker.defineInstance("A", *a);
    auto m = Module::compile(watToWasm(R"((module
      (import "A" "tab" (table 2 funcref))
      (func $f (result i32) i32.const 5)
      (elem (i32.const 0) $f)
      (elem (i32.const 2) $f)))"));
    ASSERT_TRUE(m.ok());
    auto failed = linker.instantiate(*m);
    ASSERT_FALSE(failed.ok());
    Value zero[] = {Value::i32(0)};
    EXPECT_EQ(callI32(*a, "call", zero), 5) << "the first segment's write stays usable";
    group = weakGroup(*a);
    EXPECT_EQ(group.lock()->memberCount(), 2u);
  }
  EXPECT_TRUE(group.expired());
}

TEST(Lifetime, HostTableMergesItsImporters) {
  Linker linker;
  auto table = Extern::hostTable(TableType{ValType::FuncRef, {2, std::nullopt}},
                                 Value::nullRef(ValType::FuncRef));
  ASSERT_TRUE(table.ok());
  linker.define("A", "tab", *table);
  auto b = instantiate(linker, kTableWriter);
  ASSERT_TRUE(b);
  auto reader = instantiate(linker, R"((module
    (import "A" "tab" (table 2 funcref))
    (type $t (func (result i32)))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))))");
  ASSERT_TRUE(reader);
  std::weak_ptr<rt::Global> b_alive = ownGlobal(*b, 0);
  b.reset();
  linker = Linker();
  table = Extern();
  EXPECT_FALSE(b_alive.expired());
  Value one[] = {Value::i32(1)};
  EXPECT_EQ(callI32(*reader, "call", one), 77);
  std::weak_ptr<rt::LifetimeGroup> group = weakGroup(*reader);
  reader.reset();
  EXPECT_TRUE(group.expired());
  EXPECT_TRUE(b_alive.expired());
}

TEST(Lifetime, FuncrefPassedToAnImportedGuestFunctionStaysValid) {
  Linker linker;
  auto a = instantiate(linker, R"((module
    (table $tab 1 funcref)
    (type $t (func (result i32)))
    (func (export "store") (param funcref) (table.set $tab (i32.const 0) (local.get 0)))
    (func (export "call") (result i32) (call_indirect (type $t) (i32.const 0)))))");
  ASSERT_TRUE(a);
  linker.defineInstance("A", *a);
  auto b = instantiate(linker, R"((module
    (import "A" "store" (func $store (param funcref)))
    (global $marker i32 (i32.const 0))
    (func $f (result i32) i32.const 31)
    (elem declare func $f)
    (func $start (call $store (ref.func $f)))
    (start $start)))");
  ASSERT_TRUE(b);
  std::weak_ptr<rt::Global> b_alive = ownGlobal(*b, 0);
  b.reset();
  linker = Linker();
  EXPECT_FALSE(b_alive.expired());
  EXPECT_EQ(callI32(*a, "call"), 31);
}

TEST(Lifetime, MutableFuncrefGlobalKeepsTheWriterAlive) {
  Linker linker;
  auto a = instantiate(linker, R"((module
    (global $g (export "g") (mut funcref) (ref.null func))
    (table $tab 1 funcref)
    (type $t (func (result i32)))
    (func (export "call") (result i32)
      (table.set $tab (i32.const 0) (global.get $g))
      (call_indirect (type $t) (i32.const 0)))))");
  ASSERT_TRUE(a);
  linker.defineInstance("A", *a);
  auto b = instantiate(linker, R"((module
    (import "A" "g" (global $g (mut funcref)))
    (global $marker i32 (i32.const 0))
    (func $f (result i32) i32.const 12)
    (elem declare func $f)
    (func $start (global.set $g (ref.func $f)))
    (start $start)))");
  ASSERT_TRUE(b);
  std::weak_ptr<rt::Global> b_alive = ownGlobal(*b, 1);
  b.reset();
  linker = Linker();
  EXPECT_FALSE(b_alive.expired());
  EXPECT_EQ(callI32(*a, "call"), 12);
}

TEST(Lifetime, ImmutableFuncrefGlobalKeepsTheExporterAlive) {
  Linker linker;
  auto a = instantiate(linker, R"((module
    (global $marker i32 (i32.const 0))
    (func $f (result i32) i32.const 9)
    (global (export "g") funcref (ref.func $f))))");
  ASSERT_TRUE(a);
  linker.defineInstance("A", *a);
  std::weak_ptr<rt::Global> a_alive = ownGlobal(*a, 0);
  a.reset();
  auto b = instantiate(linker, R"((module
    (import "A" "g" (global $g funcref))
    (table $tab 1 funcref)
    (type $t (func (result i32)))
    (func (export "call") (result i32)
      (table.set $tab (i32.const 0) (global.get $g))
      (call_indirect (type $t) (i32.const 0)))))");
  ASSERT_TRUE(b);
  linker = Linker();
  EXPECT_FALSE(a_alive.expired()) << "B may call A's function through the global";
  EXPECT_EQ(callI32(*b, "call"), 9);
  b.reset();
  EXPECT_TRUE(a_alive.expired());
}

TEST(Lifetime, InstancesSharingOnlyHostObjectsAreFreedIndependently) {
  Linker linker;
  int calls = 0;
  linker.defineFunc("env", "tick", FuncType{{}, {ValType::I32}},
                    [&calls](CallContext &, std::span<const Value>, std::span<Value> results) {
                      results[0] = Value::i32(uint32_t(++calls));
                      return HostResult::ok();
                    });
  auto mem = Extern::hostMemory(MemoryType{{1, std::nullopt}});
  ASSERT_TRUE(mem.ok());
  linker.define("env", "mem", *mem);
  auto counter = Extern::hostGlobal(GlobalType{ValType::I32, true}, Value::i32(0));
  ASSERT_TRUE(counter.ok());
  linker.define("env", "counter", *counter);
  constexpr const char *kGuest = R"((module
    (import "env" "tick" (func $tick (result i32)))
    (import "env" "mem" (memory 1))
    (import "env" "counter" (global $c (mut i32)))
    (global $marker i32 (i32.const 0))
    (func (export "run") (result i32)
      (i32.store8 (i32.const 0) (call $tick))
      (global.set $c (i32.add (global.get $c) (i32.const 1)))
      (i32.load8_u (i32.const 0)))))";
  auto first = instantiate(linker, kGuest);
  auto second = instantiate(linker, kGuest);
  ASSERT_TRUE(first && second);
  EXPECT_NE(rt::groupOf(*detail::ApiAccess::impl(*first)),
            rt::groupOf(*detail::ApiAccess::impl(*second)));
  EXPECT_EQ(callI32(*first, "run"), 1);

  std::weak_ptr<rt::LifetimeGroup> first_group = weakGroup(*first);
  std::weak_ptr<rt::Global> first_alive = ownGlobal(*first, 1);
  first.reset();
  EXPECT_TRUE(first_group.expired());
  EXPECT_TRUE(first_alive.expired());
  EXPECT_EQ(callI32(*second, "run"), 2) << "host function and memory outlive the first instance";
  EXPECT_EQ(mem->memoryBytes()[0], 2);
  EXPECT_EQ(*counter->globalValue(), Value::i32(2));
}

TEST(Lifetime, ExportHandlesKeepTheGroupAlive) {
  Extern run;
  std::weak_ptr<rt::LifetimeGroup> group;
  {
    auto a = instantiate(Linker(), R"((module (func (export "run") (result i32) i32.const 3)))");
    ASSERT_TRUE(a);
    auto e = a->getExport("run");
    ASSERT_TRUE(e.ok());
    run = *e;
    group = weakGroup(*a);
  }
  EXPECT_FALSE(group.expired());
  auto holder = instantiate(Linker(), "(module)");
  ASSERT_TRUE(holder);
  auto out = holder->call(run, {});
  ASSERT_TRUE(out.ok() && out->returned());
  EXPECT_EQ(out->results[0], Value::i32(3));
  run = Extern();
  EXPECT_TRUE(group.expired());
}

} // namespace
} // namespace halter
