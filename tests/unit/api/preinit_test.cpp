// Pre-initialisation (halter/preinit.h): the written module, instantiated,
// behaves as the original instance after its init function: the same
// globals, tables, memory, and segments dropped or kept; it validates in
// halter and in wabt's wasm-validate; what cannot be written is refused.
#include "binary/decoder.h"
#include "support/wat.h"

#include "halter/halter.h"
#include "halter/preinit.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <unistd.h>

namespace halter {
namespace {

// What a call did, as text to compare: its results, or how it failed.
std::string callText(Instance &inst, const std::string &name, std::vector<Value> args = {}) {
  auto r = inst.call(name, args);
  if (!r) return "error " + r.error().describe();
  switch (r->kind) {
  case OutcomeKind::Returned: {
    std::string s = "returned";
    for (const Value &v : r->results) {
      // Bits, not describe(): a NaN payload must survive too; references
      // by nullness (addresses differ between instances).
      if (isRefType(v.type()))
        s += v.isNullRef() ? " null" : " ref";
      else
        s += " " + std::to_string(v.lowBits());
    }
    return s;
  }
  case OutcomeKind::Trapped:
    return std::string("trapped ") + trapKindName(r->trap.kind);
  default:
    return outcomeKindName(r->kind);
  }
}

bool haveWasmValidate() {
  static const bool have = std::system("command -v wasm-validate >/dev/null 2>&1") == 0;
  return have;
}

// wabt's validator on `bytes` (true when wabt is not installed).
bool wabtAccepts(const std::vector<uint8_t> &bytes) {
  if (!haveWasmValidate()) return true;
  char path[] = "/tmp/halter_preinit_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return false;
  const bool written = write(fd, bytes.data(), bytes.size()) == ssize_t(bytes.size());
  close(fd);
  const bool ok =
      written && std::system(("wasm-validate " + std::string(path) + " >&2").c_str()) == 0;
  std::remove(path);
  return ok;
}

// The original after instantiation and init, and the preinitialised
// module's instance, ready for the same probes.
struct Pair {
  std::shared_ptr<Instance> original;
  std::shared_ptr<Instance> preinit;
  std::vector<uint8_t> bytes; // the written module
};

Pair preinitBoth(const std::string &wat, const Linker &linker = Linker(),
                 const std::string &flags = "") {
  Pair p;
  auto module = Module::compile(test::watToWasm(wat, flags));
  EXPECT_TRUE(module.ok()) << module.error().describe();
  if (!module) return p;
  auto original = linker.instantiate(*module);
  EXPECT_TRUE(original.ok()) << original.error().describe();
  if (!original) return p;
  auto init = (*original)->call("wizer.initialize", {});
  EXPECT_TRUE(init.ok() && init->returned());
  p.original = *original;

  auto out = preinitialize(linker, *module);
  EXPECT_TRUE(out.ok()) << out.error().describe();
  if (!out) return p;
  p.bytes = *out;
  auto valid = Module::validate(p.bytes);
  EXPECT_TRUE(valid.ok()) << valid.error().describe();
  EXPECT_TRUE(wabtAccepts(p.bytes)) << "wasm-validate refused the written module";
  auto written = Module::compile(p.bytes);
  EXPECT_TRUE(written.ok()) << written.error().describe();
  if (!written) return p;
  EXPECT_EQ((*written)->exportedFuncType("wizer.initialize"), nullptr);
  for (const SectionInfo &s : (*written)->sections()) EXPECT_NE(s.name, "start");
  auto inst = linker.instantiate(*written);
  EXPECT_TRUE(inst.ok()) << inst.error().describe();
  if (inst) p.preinit = *inst;
  return p;
}

std::span<uint8_t> memoryOf(Instance &inst) {
  auto mem = inst.getExport("memory");
  return mem.ok() ? mem->memoryBytes() : std::span<uint8_t>();
}

void expectSameMemory(Instance &a, Instance &b) {
  std::span<uint8_t> ma = memoryOf(a), mb = memoryOf(b);
  ASSERT_EQ(ma.size(), mb.size());
  EXPECT_EQ(std::memcmp(ma.data(), mb.data(), ma.size()), 0);
}

// Every global type, funcref ones included; the start function's effect
// is in the state and does not happen again.
TEST(Preinit, GlobalsOfEveryTypeAndTheStartFunction) {
  Pair p = preinitBoth(R"(
    (module
      (type $r (func (result i32)))
      (table 2 funcref)
      (func $f (result i32) i32.const 7)
      (func $g (result i32) i32.const 9)
      (global $i32 (mut i32) (i32.const 0))
      (global $i64 (mut i64) (i64.const 0))
      (global $f32 (mut f32) (f32.const 0))
      (global $f64 (mut f64) (f64.const 0))
      (global $fr (mut funcref) (ref.null func))
      (global $fr2 (mut funcref) (ref.func $g))
      (elem declare func $f)
      (global $er (mut externref) (ref.null extern))
      (global $c i32 (i32.const 5))
      (global $started (mut i32) (i32.const 0))
      (func $start (global.set $started (i32.add (global.get $started) (i32.const 10))))
      (start $start)
      (func (export "wizer.initialize")
        (global.set $i32 (i32.const -123))
        (global.set $i64 (i64.const 0x123456789abcdef0))
        (global.set $f32 (f32.const -1.5))
        (global.set $f64 (f64.const nan:0x4000000000001))
        (global.set $fr (ref.func $f))
        ;; The only declaration of $g was this global's initialiser.
        (global.set $fr2 (ref.null func))
        (global.set $started (i32.add (global.get $started) (i32.const 1))))
      (func (export "i32") (result i32) global.get $i32)
      (func (export "i64") (result i64) global.get $i64)
      (func (export "f32") (result i32) (i32.reinterpret_f32 (global.get $f32)))
      (func (export "f64") (result i64) (i64.reinterpret_f64 (global.get $f64)))
      (func (export "c") (result i32) global.get $c)
      (func (export "call_fr") (result i32)
        (table.set 0 (i32.const 0) (global.get $fr))
        (call_indirect (type $r) (i32.const 0)))
      (func (export "fr2_null") (result i32) (ref.is_null (global.get $fr2)))
      (func (export "g_ref") (result i32)
        (table.set 0 (i32.const 1) (ref.func $g))
        (call_indirect (type $r) (i32.const 1)))
      (func (export "er_null") (result i32) (ref.is_null (global.get $er)))
      (func (export "started") (result i32) global.get $started))
  )");
  ASSERT_TRUE(p.original && p.preinit);
  for (const char *probe :
       {"i32", "i64", "f32", "f64", "c", "fr2_null", "er_null", "started", "call_fr", "g_ref"})
    EXPECT_EQ(callText(*p.original, probe), callText(*p.preinit, probe)) << probe;
  EXPECT_EQ(callText(*p.preinit, "started"), "returned 11"); // start ran once, then init
  EXPECT_EQ(callText(*p.preinit, "i32"), "returned " + std::to_string(uint32_t(-123)));
  EXPECT_EQ(callText(*p.preinit, "f64"), "returned " + std::to_string(0x7ff4000000000001ull));
  EXPECT_EQ(callText(*p.preinit, "call_fr"), "returned 7");
  EXPECT_EQ(callText(*p.preinit, "fr2_null"), "returned 1");
}

// Tables grown and set during init (imported functions in them too): the
// same size, entries and room to grow.
TEST(Preinit, TablesSetDuringInit) {
  Linker linker;
  linker.defineFunc("env", "host", FuncType{{}, {ValType::I32}},
                    [](CallContext &, std::span<const Value>, std::span<Value> results) {
                      results[0] = Value::i32(77);
                      return HostResult::ok();
                    });
  Pair p = preinitBoth(R"(
    (module
      (type $r (func (result i32)))
      (import "env" "host" (func $host (result i32)))
      (table $t 2 10 funcref)
      (table $x 1 externref)
      (func $a (result i32) i32.const 1)
      (func $b (result i32) i32.const 2)
      (func $c (result i32) i32.const 3)
      (elem (table $t) (i32.const 0) func $a)
      (elem declare func $b $c $host)
      (func (export "wizer.initialize")
        (drop (table.grow $t (ref.func $b) (i32.const 4)))
        (table.set $t (i32.const 1) (ref.func $c))
        (table.set $t (i32.const 3) (ref.null func))
        (table.set $t (i32.const 5) (ref.func $host)))
      (func (export "size") (result i32) (table.size $t))
      (func (export "call") (param i32) (result i32) (call_indirect $t (type $r) (local.get 0)))
      (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
      (func (export "x_null") (result i32) (ref.is_null (table.get $x (i32.const 0))))
      (func (export "grow") (result i32) (table.grow $t (ref.null func) (i32.const 4))))
  )",
                       linker);
  ASSERT_TRUE(p.original && p.preinit);
  EXPECT_EQ(callText(*p.preinit, "size"), "returned 6");
  EXPECT_EQ(callText(*p.original, "size"), callText(*p.preinit, "size"));
  EXPECT_EQ(callText(*p.original, "x_null"), callText(*p.preinit, "x_null"));
  for (uint32_t i = 0; i < 7; ++i) {
    EXPECT_EQ(callText(*p.original, "is_null", {Value::i32(i)}),
              callText(*p.preinit, "is_null", {Value::i32(i)}))
        << i;
    EXPECT_EQ(callText(*p.original, "call", {Value::i32(i)}),
              callText(*p.preinit, "call", {Value::i32(i)}))
        << i;
  }
  EXPECT_EQ(callText(*p.preinit, "call", {Value::i32(5)}), "returned 77");
  EXPECT_EQ(callText(*p.preinit, "call", {Value::i32(3)}), "trapped UninitializedElement");
  // Room to grow up to the same maximum: 6 + 4 fits in 10, once.
  EXPECT_EQ(callText(*p.preinit, "grow"), "returned 6");
  EXPECT_EQ(callText(*p.original, "grow"), "returned 6");
  EXPECT_EQ(callText(*p.preinit, "grow"), callText(*p.original, "grow"));
}

// Passive segments dropped during init stay dropped; undropped ones can
// still be used; active ones are dropped, as after any instantiation.
TEST(Preinit, PassiveSegmentsDroppedAndKept) {
  const std::string wat = R"(
    (module
      (type $r (func (result i32)))
      (memory (export "memory") 1)
      (table 4 funcref)
      (func $x (result i32) i32.const 10)
      (func $y (result i32) i32.const 20)
      (data $d0 (i32.const 8) "active-bytes")
      (data $p1 "kept passive")
      (data $p2 "dropped passive")
      (elem $e1 func $x $y)
      (elem $e2 func $y $x)
      (func (export "wizer.initialize")
        (memory.init $p2 (i32.const 100) (i32.const 0) (i32.const 15))
        (data.drop $p2)
        (table.init $e2 (i32.const 0) (i32.const 0) (i32.const 2))
        (elem.drop $e2))
      (func (export "init_p1") (result i32)
        (memory.init $p1 (i32.const 200) (i32.const 0) (i32.const 12))
        (i32.load8_u (i32.const 205)))
      (func (export "init_p2") (memory.init $p2 (i32.const 300) (i32.const 0) (i32.const 1)))
      (func (export "init_p2_empty") (memory.init $p2 (i32.const 300) (i32.const 0) (i32.const 0)))
      (func (export "init_d0") (memory.init $d0 (i32.const 0) (i32.const 0) (i32.const 1)))
      (func (export "tinit_e1") (result i32)
        (table.init $e1 (i32.const 2) (i32.const 0) (i32.const 2))
        (call_indirect (type $r) (i32.const 3)))
      (func (export "tinit_e2") (table.init $e2 (i32.const 2) (i32.const 0) (i32.const 1)))
      (func (export "drop_e1_then_init") (elem.drop $e1)
        (table.init $e1 (i32.const 2) (i32.const 0) (i32.const 1)))
      (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))
  )";
  Pair p = preinitBoth(wat);
  ASSERT_TRUE(p.original && p.preinit);
  expectSameMemory(*p.original, *p.preinit);
  for (uint32_t i = 0; i < 4; ++i)
    EXPECT_EQ(callText(*p.original, "call", {Value::i32(i)}),
              callText(*p.preinit, "call", {Value::i32(i)}))
        << i;
  EXPECT_EQ(callText(*p.preinit, "call", {Value::i32(0)}), "returned 20");
  // In this order (the last drops $e1), each once per instance.
  const std::vector<std::pair<const char *, std::string>> probes = {
      {"init_p1", "returned " + std::to_string(int('p'))},
      {"init_p2", "trapped MemoryOutOfBounds"},
      {"init_p2_empty", "returned"},
      {"init_d0", "trapped MemoryOutOfBounds"},
      {"tinit_e1", "returned 20"},
      {"tinit_e2", "trapped TableOutOfBounds"},
      {"drop_e1_then_init", "trapped TableOutOfBounds"},
  };
  for (const auto &[probe, want] : probes) {
    EXPECT_EQ(callText(*p.original, probe), want) << probe;
    EXPECT_EQ(callText(*p.preinit, probe), want) << probe;
  }
  expectSameMemory(*p.original, *p.preinit);
}

// A module without data or element sections whose init writes memory and
// a table gets them, in their place (before the name section); memory that
// grew keeps its size and its room up to the maximum.
TEST(Preinit, SectionsTheModuleLackedAreAdded) {
  Pair p = preinitBoth(R"(
    (module $m
      (type $r (func (result i32)))
      (memory (export "memory") 1 8)
      (table 1 funcref)
      (func $seven (export "seven") (result i32) i32.const 7)
      (func (export "wizer.initialize")
        (drop (memory.grow (i32.const 2)))
        (i32.store (i32.const 70000) (i32.const 0x01020304))
        (i32.store8 (i32.const 16) (i32.const 42))
        (table.set 0 (i32.const 0) (ref.func $seven)))
      (func (export "pages") (result i32) (memory.size))
      (func (export "grow") (result i32) (memory.grow (i32.const 5)))
      (func (export "call") (result i32) (call_indirect (type $r) (i32.const 0))))
  )",
                       Linker(), "--debug-names");
  ASSERT_TRUE(p.original && p.preinit);
  expectSameMemory(*p.original, *p.preinit);
  EXPECT_EQ(callText(*p.preinit, "pages"), "returned 3");
  EXPECT_EQ(callText(*p.preinit, "call"), "returned 7");
  auto written = Module::compile(p.bytes);
  ASSERT_TRUE(written.ok());
  std::vector<std::string> names;
  for (const SectionInfo &s : (*written)->sections()) names.push_back(s.name);
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names.back(), "name");
  EXPECT_EQ(names[names.size() - 2], "data");
  EXPECT_NE(std::find(names.begin(), names.end(), "element"), names.end()) << "no element section";
  EXPECT_EQ(callText(*p.original, "grow"), callText(*p.preinit, "grow")); // 3 + 5 = 8
  EXPECT_EQ(callText(*p.original, "grow"), callText(*p.preinit, "grow")); // refused: -1
}

// Memory contents become few segments: runs closer than a small gap merge,
// and many scattered bytes still give a bounded count with the same bytes.
TEST(Preinit, MemoryContentsBecomeFewSegments) {
  auto segmentsOf = [](const std::vector<uint8_t> &bytes) {
    auto m = binary::decodeModule(bytes);
    EXPECT_TRUE(m.ok());
    return m.ok() ? m->datas.size() : 0;
  };
  Pair near = preinitBoth(R"(
    (module
      (memory (export "memory") 1)
      (func (export "wizer.initialize")
        (i32.store8 (i32.const 0) (i32.const 1))
        (i32.store8 (i32.const 10) (i32.const 2))
        (i32.store8 (i32.const 1000) (i32.const 3))))
  )");
  ASSERT_TRUE(near.preinit);
  expectSameMemory(*near.original, *near.preinit);
  EXPECT_EQ(segmentsOf(near.bytes), 2u);

  // 60,000 bytes 64 apart over 60 pages.
  Pair scattered = preinitBoth(R"(
    (module
      (memory (export "memory") 60)
      (func (export "wizer.initialize") (local $i i32)
        (loop $l
          (i32.store8 (i32.mul (local.get $i) (i32.const 64)) (i32.const 0xAB))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 60000))))))
  )");
  ASSERT_TRUE(scattered.preinit);
  expectSameMemory(*scattered.original, *scattered.preinit);
  EXPECT_LE(segmentsOf(scattered.bytes), 10000u);
  EXPECT_GT(segmentsOf(scattered.bytes), 0u);
}

Result<std::vector<uint8_t>> preinitWat(const std::string &wat, const Linker &linker = Linker(),
                                        PreinitOptions options = {}) {
  auto module = Module::compile(test::watToWasm(wat));
  if (!module) return module.error();
  return preinitialize(linker, *module, options);
}

void expectRefused(const Result<std::vector<uint8_t>> &r, ErrorCode code, const std::string &text) {
  ASSERT_FALSE(r.ok()) << "not refused; wanted: " << text;
  EXPECT_EQ(r.error().code, code) << r.error().describe();
  EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
}

TEST(Preinit, RefusesStateThatLivesOutside) {
  Linker linker;
  auto mem = Extern::hostMemory(MemoryType{{1, {}}});
  auto table =
      Extern::hostTable(TableType{ValType::FuncRef, {1, {}}}, Value::nullRef(ValType::FuncRef));
  auto global = Extern::hostGlobal(GlobalType{ValType::I32, true}, Value::i32(1));
  ASSERT_TRUE(mem.ok() && table.ok() && global.ok());
  linker.define("env", "mem", *mem);
  linker.define("env", "table", *table);
  linker.define("env", "global", *global);
  const std::string init = R"((func (export "wizer.initialize")))";
  expectRefused(preinitWat("(module (import \"env\" \"mem\" (memory 1))" + init + ")", linker),
                ErrorCode::InvalidArgument, "env.mem, a memory");
  expectRefused(
      preinitWat("(module (import \"env\" \"table\" (table 1 funcref))" + init + ")", linker),
      ErrorCode::InvalidArgument, "env.table, a table");
  expectRefused(
      preinitWat("(module (import \"env\" \"global\" (global (mut i32)))" + init + ")", linker),
      ErrorCode::InvalidArgument, "env.global, a mutable global");
}

TEST(Preinit, RefusesAMissingOrMistypedInitFunction) {
  expectRefused(preinitWat("(module (func (export \"init\")))"), ErrorCode::NotFound,
                "no function export named \"wizer.initialize\"");
  expectRefused(preinitWat("(module (func (export \"wizer.initialize\") (param i32)))"),
                ErrorCode::InvalidArgument, "it must be () -> ()");
  PreinitOptions named;
  named.init_func = "setup";
  auto ok =
      preinitWat("(module (func (export \"setup\")) (func (export \"other\")))", Linker(), named);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  auto m = Module::compile(*ok);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->exportedFuncType("setup"), nullptr);
  EXPECT_NE((*m)->exportedFuncType("other"), nullptr);
}

TEST(Preinit, RefusesAnInitThatFails) {
  expectRefused(preinitWat("(module (func (export \"wizer.initialize\") unreachable))"),
                ErrorCode::Trapped, "trapped");
  PreinitOptions fuel;
  fuel.limits.fuel = 10000;
  const std::string spin = "(module (func (export \"wizer.initialize\") (loop $l (br $l))))";
  expectRefused(preinitWat(spin, Linker(), fuel), ErrorCode::OutOfFuel, "ran out of fuel");
  PreinitOptions timeout;
  timeout.limits.timeout = std::chrono::milliseconds(50);
  expectRefused(preinitWat(spin, Linker(), timeout), ErrorCode::DeadlineExceeded,
                "passed its deadline");

  Linker linker;
  linker.defineFunc("env", "wait", FuncType{},
                    [](CallContext &, std::span<const Value>, std::span<Value>) {
                      return HostResult::suspend();
                    });
  linker.defineFunc(
      "env", "quit", FuncType{},
      [](CallContext &, std::span<const Value>, std::span<Value>) { return HostResult::exit(3); });
  expectRefused(preinitWat(R"((module (import "env" "wait" (func $w))
                             (func (export "wizer.initialize") (call $w))))",
                           linker),
                ErrorCode::InvalidArgument, "suspended in the host call env.wait");
  expectRefused(preinitWat(R"((module (import "env" "quit" (func $q))
                             (func (export "wizer.initialize") (call $q))))",
                           linker),
                ErrorCode::Exited, "exited with code 3");
}

// References the binary format has no constant for.
TEST(Preinit, RefusesReferencesNoModuleCanName) {
  int host_object = 0;
  auto ext = Extern::hostGlobal(GlobalType{ValType::ExternRef, false},
                                Value::ref(ValType::ExternRef, &host_object));
  ASSERT_TRUE(ext.ok());
  // A function of another instance, reached through an exported global.
  auto other = test::instantiate(R"(
    (module (func $f) (global (export "f") funcref (ref.func $f))))");
  ASSERT_TRUE(other);
  auto f = other->getExport("f");
  ASSERT_TRUE(f.ok());
  Linker linker;
  linker.define("env", "x", *ext);
  linker.define("env", "f", *f);
  expectRefused(preinitWat(R"((module (import "env" "x" (global $x externref))
                             (global $g (mut externref) (ref.null extern))
                             (func (export "wizer.initialize") (global.set $g (global.get $x)))))",
                           linker),
                ErrorCode::InvalidArgument, "global 1 holds a non-null externref");
  expectRefused(preinitWat(R"((module (import "env" "x" (global $x externref))
                             (table $t 3 externref)
                             (func (export "wizer.initialize")
                               (table.set $t (i32.const 2) (global.get $x)))))",
                           linker),
                ErrorCode::InvalidArgument, "table 0 element 2 holds a non-null externref");
  expectRefused(preinitWat(R"((module (import "env" "f" (global $f funcref))
                             (table $t 2 funcref)
                             (func (export "wizer.initialize")
                               (table.set $t (i32.const 1) (global.get $f)))))",
                           linker),
                ErrorCode::InvalidArgument,
                "table 0 element 1 holds a function this module neither defines nor imports");
  // The same imported externref left in an immutable import is fine: it is
  // not the module's state.
  auto ok = preinitWat(R"((module (import "env" "x" (global $x externref))
                         (func (export "wizer.initialize"))))",
                       linker);
  EXPECT_TRUE(ok.ok()) << ok.error().describe();
}

} // namespace
} // namespace halter
