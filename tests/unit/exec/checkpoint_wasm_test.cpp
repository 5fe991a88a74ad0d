// Loops written in WebAssembly stop on every limit, whatever the lowering
// makes of their back edges (DESIGN §3.3):
// - one loop per branch form of the instruction table, checked to lower to
//   that form as the back edge, with fuel off and on;
// - a few hundred random loop nests (fixed seed) with branches to random
//   enclosing labels and straight-line filler.
#include "binary/decoder.h"
#include "checkpoint_harness.h"
#include "compile/lower.h"
#include "compile/register_code.h"
#include "valid/validator.h"
#include "wat_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace halter::test {
namespace {

using compile::IOp;

// The locals every test function has, set before its loop. The loop body
// only reads them (or adds zero), so a condition that holds once holds
// forever.
const char *kPrologue = R"(
    (local $zero i32) (local $one i32) (local $two i32) (local $x i32)
    (local $l0 i64) (local $l1 i64) (local $l2 i64)
    (local.set $one (i32.const 1)) (local.set $two (i32.const 2))
    (local.set $l1 (i64.const 1)) (local.set $l2 (i64.const 2)))";

// Straight-line work before the back edge: makes its offset negative.
const char *kFiller = "(local.set $x (i32.add (local.get $x) (i32.const 1)))";

struct Compare {
  const char *wasm; // the compare's name after "i32." / "i64."
  const char *form; // its IOp spelling
  // Operands that make it hold: locals (by name) and an immediate for b.
  const char *a, *b;
  int b_imm;
};
// a OP b holds for each row; b_imm is b as a constant.
const Compare kCompares[] = {
    {"eq", "Eq", "one", "one", 1},    {"ne", "Ne", "one", "two", 2},
    {"lt_s", "LtS", "one", "two", 2}, {"lt_u", "LtU", "one", "two", 2},
    {"gt_s", "GtS", "two", "one", 1}, {"gt_u", "GtU", "two", "one", 1},
    {"le_s", "LeS", "one", "two", 2}, {"le_u", "LeU", "one", "two", 2},
    {"ge_s", "GeS", "two", "one", 1}, {"ge_u", "GeU", "two", "one", 1},
};

std::string i64Local(const char *name) {
  return std::string(name) == "one" ? "l1" : std::string(name) == "two" ? "l2" : "l0";
}

// The loop body whose back edge is each branch form, by the form's name.
std::map<std::string, std::string> backEdgePatterns() {
  std::map<std::string, std::string> p;
  p["Br"] = "(br $loop)";
  p["BrIf"] = "(br_if $loop (local.get $one))";
  p["BrUnless"] = "(br_if $loop (i32.eqz (local.get $zero)))";
  p["BrTable"] = "(block $out (br_table $loop $out $loop (local.get $zero)))";
  p["BrIncNz"] = "(br_if $loop (i32.add (local.get $one) (i32.const 0)))";
  for (const Compare &c : kCompares) {
    std::string w = c.wasm, f = c.form;
    p[std::string("BrI32") + f] =
        "(br_if $loop (i32." + w + " (local.get $" + c.a + ") (local.get $" + c.b + ")))";
    p[std::string("BrImmI32") + f] = "(br_if $loop (i32." + w + " (local.get $" + c.a +
                                     ") (i32.const " + std::to_string(c.b_imm) + ")))";
    p[std::string("BrI64") + f] = "(br_if $loop (i64." + w + " (local.get $" + i64Local(c.a) +
                                  ") (local.get $" + i64Local(c.b) + ")))";
    p[std::string("BrImmI64") + f] = "(br_if $loop (i64." + w + " (local.get $" + i64Local(c.a) +
                                     ") (i64.const " + std::to_string(c.b_imm) + ")))";
    // $a + b OP c with a + b == a: b is zero, as a local or a constant.
    for (bool b_imm : {false, true}) {
      for (bool c_imm : {false, true}) {
        std::string name =
            std::string("BrAdd") + (b_imm ? "I" : "S") + (c_imm ? "I" : "S") + "I32" + f;
        std::string b = b_imm ? "(i32.const 0)" : "(local.get $zero)";
        std::string cc = c_imm ? "(i32.const " + std::to_string(c.b_imm) + ")"
                               : "(local.get $" + std::string(c.b) + ")";
        p[name] = "(br_if $loop (i32." + w + " (i32.add (local.get $" + std::string(c.a) + ") " +
                  b + ") " + cc + "))";
      }
    }
  }
  // Branches out of nested blocks and ifs to the loop: the same forms, from
  // deeper inside (checked below to keep their back-edge form).
  return p;
}

// Forms the lowering emits only as forward branches (the inverted tests of
// `if` and of a br_if that skips a value copy). They are still covered as
// back edges at the register-code level (checkpoint_forms_test.cpp).
const std::set<std::string> kForwardOnly = {"BrIncZ"};

// Extra shapes: a branch to the loop from inside blocks and ifs.
const std::pair<const char *, const char *> kNestedShapes[] = {
    {"br out of two blocks", "(block (block (br 2)))"},
    {"br_if out of a block", "(block (br_if 1 (local.get $one)))"},
    {"br from an if arm", "(if (local.get $one) (then (br $loop)))"},
    {"br from an else arm", "(if (local.get $zero) (then) (else (br $loop)))"},
    {"br_table from inside blocks", "(block (block (br_table 0 1 2 (local.get $two))))"},
    {"loop in a loop", "(loop $inner (br_if $inner (local.get $one)) (br $loop))"},
    {"compare out of an if", "(if (local.get $one) (then (br_if $loop (i32.lt_u (local.get "
                             "$one) (local.get $two)))))"},
};

std::string function(const std::string &name, const std::string &body, bool filler) {
  return "  (func (export \"" + name + "\")" + kPrologue + "\n    (loop $loop " +
         (filler ? kFiller : "") + " " + body + "))\n";
}

struct Lowered {
  std::vector<uint8_t> bytes;
  std::vector<compile::LoweredCode> funcs;
};

Lowered lowerWat(const std::string &wat) {
  Lowered l;
  l.bytes = watToWasm(wat);
  EXPECT_FALSE(l.bytes.empty()) << "wat2wasm failed";
  auto m = binary::decodeModule(l.bytes);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  if (!m.ok()) return l;
  EXPECT_TRUE(valid::validateModule(*m).ok());
  auto funcs = compile::lowerModule(*m);
  EXPECT_TRUE(funcs.ok()) << (funcs.ok() ? "" : funcs.error().describe());
  if (funcs.ok()) l.funcs = std::move(*funcs);
  return l;
}

// The offsets of every `op` branch in the unmetered code of `fn`.
std::vector<int64_t> branchOffsets(const compile::LoweredCode &fn, IOp op) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < fn.code.size(); i += compile::instrWords(&fn.code[i])) {
    if (IOp(fn.code[i]) != op) continue;
    compile::forEachBranchWord(&fn.code[i],
                               [&](size_t k) { out.push_back(int64_t(fn.code[i + k])); });
  }
  return out;
}

void stopsEveryWay(Instance &inst, const std::string &name, const std::string &what) {
  for (bool metered : {false, true}) {
    for (StopBy how : {StopBy::Deadline, StopBy::Cancel, StopBy::Fuel}) {
      if (how == StopBy::Fuel && !metered) continue;
      StopResult r = stopRunaway(what, how, metered,
                                 [&](const CallOptions &o) { return inst.start(name, {}, o); });
      OutcomeKind want = how == StopBy::Deadline ? OutcomeKind::DeadlineExceeded
                         : how == StopBy::Cancel ? OutcomeKind::Cancelled
                                                 : OutcomeKind::OutOfFuel;
      EXPECT_EQ(r.kind, want) << what << " by " << stopByName(how) << (metered ? ", metered" : "")
                              << ": " << outcomeKindName(r.kind);
      EXPECT_LT(r.late, std::chrono::milliseconds(500)) << what;
    }
  }
}

TEST(CheckPointWasm, EveryBackEdgeFormOfTheLoweringStops) {
  std::map<std::string, std::string> patterns = backEdgePatterns();
  // Every branch form of the table has a loop here, or is forward-only:
  // adding a form to the table fails this test until it is covered.
  std::vector<std::string> forms;
  for (int i = 0; i < compile::kIOpCount; ++i) {
    if (!compile::isBranch(IOp(i))) continue;
    std::string name = compile::kIOpNames[i];
    if (kForwardOnly.count(name) != 0) continue;
    EXPECT_TRUE(patterns.count(name) != 0) << "no loop whose back edge is " << name;
    if (patterns.count(name) != 0) forms.push_back(name);
  }
  std::string wat = "(module\n";
  for (const std::string &f : forms) {
    wat += function(f + "/1", patterns[f], false);
    wat += function(f + "/n", patterns[f], true);
  }
  wat += ")";
  Lowered l = lowerWat(wat);
  ASSERT_EQ(l.funcs.size(), forms.size() * 2);
  std::map<std::string, IOp> by_name;
  for (int i = 0; i < compile::kIOpCount; ++i) by_name[compile::kIOpNames[i]] = IOp(i);
  for (size_t k = 0; k < forms.size(); ++k) {
    // The loop of the branch alone branches to itself; with filler, back.
    std::vector<int64_t> alone = branchOffsets(l.funcs[2 * k], by_name[forms[k]]);
    std::vector<int64_t> filled = branchOffsets(l.funcs[2 * k + 1], by_name[forms[k]]);
    EXPECT_TRUE(std::count(alone.begin(), alone.end(), 0) > 0)
        << forms[k] << ": the lowering made no zero-offset back edge of this form";
    EXPECT_TRUE(std::any_of(filled.begin(), filled.end(), [](int64_t o) { return o < 0; }))
        << forms[k] << ": the lowering made no backward branch of this form";
  }
  auto module = Module::compile(l.bytes);
  ASSERT_TRUE(module.ok());
  auto inst = Linker().instantiate(*module);
  ASSERT_TRUE(inst.ok());
  for (const std::string &f : forms) {
    stopsEveryWay(**inst, f + "/1", "loop of " + f + " alone");
    stopsEveryWay(**inst, f + "/n", "loop of filler and " + f);
  }
}

TEST(CheckPointWasm, BranchesToTheLoopFromNestedBlocksStop) {
  std::string wat = "(module\n";
  for (auto [what, body] : kNestedShapes) wat += function(what, body, false);
  wat += ")";
  auto inst = instantiateWat(wat);
  ASSERT_NE(inst, nullptr);
  for (auto [what, body] : kNestedShapes) stopsEveryWay(*inst, what, what);
}

// Random loop nests: an outer loop around random statements, so every run
// loops forever (no statement branches to the function or returns).
class LoopGen {
public:
  explicit LoopGen(uint32_t seed) : rng_(seed) {}

  std::string function(const std::string &name) {
    labels_.clear();
    next_label_ = 0;
    std::string body = "(loop $top " + statements(0) + " (br $top))";
    return "  (func (export \"" + name +
           "\") (local $a i32) (local $b i32) (local $c i32) (local $d i64)\n    " + body + ")\n";
  }

private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string num() { return std::to_string(pick(7) - 2); }
  std::string label() {
    // Any enclosing label; the outer loop is labels_ index 0 (by name).
    int k = pick(int(labels_.size()) + 1);
    return k == int(labels_.size()) ? "$top" : labels_[size_t(k)];
  }
  std::string cond() {
    switch (pick(8)) {
    case 0:
      return "(local.get $a)";
    case 1:
      return "(i32.eqz (local.get $b))";
    case 2:
      return "(i32.lt_u (local.get $a) (i32.const " + num() + "))";
    case 3:
      return "(i32.ne (local.get $a) (local.get $c))";
    case 4:
      return "(i32.add (local.get $c) (i32.const " + num() + "))";
    case 5:
      return "(i32.gt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $b))";
    case 6:
      return "(i64.le_u (local.get $d) (i64.const " + num() + "))";
    default:
      return "(i32.ge_s (i32.add (local.get $a) (local.get $b)) (i32.const " + num() + "))";
    }
  }
  std::string filler() {
    switch (pick(5)) {
    case 0:
      return "(local.set $a (i32.add (local.get $a) (i32.const " + num() + ")))";
    case 1:
      return "(local.set $b (i32.xor (local.get $b) (local.get $a)))";
    case 2:
      return "(local.set $c (i32.and (local.get $c) (i32.const 7)))";
    case 3:
      return "(local.set $d (i64.add (local.get $d) (i64.extend_i32_u (local.get $a))))";
    default:
      return "(local.set $a (i32.rem_u (local.get $a) (i32.const 5)))";
    }
  }
  std::string statements(int depth) {
    std::string out;
    int n = 1 + pick(4);
    for (int i = 0; i < n; ++i) out += statement(depth) + " ";
    return out;
  }
  std::string statement(int depth) {
    int k = pick(depth >= 4 ? 4 : 8);
    switch (k) {
    case 0:
    case 1:
      return filler();
    case 2:
      return "(br_if " + label() + " " + cond() + ")";
    case 3: {
      if (pick(3) != 0) return "(br " + label() + ")";
      std::string t = "(br_table";
      for (int i = 0, m = 1 + pick(4); i < m; ++i) t += " " + label();
      return t + " (local.get $a))";
    }
    case 4:
    case 5: {
      std::string l = "$L" + std::to_string(next_label_++);
      std::string kind = k == 4 ? "block" : "loop";
      labels_.push_back(l);
      std::string s = "(" + kind + " " + l + " " + statements(depth + 1) + ")";
      labels_.pop_back();
      return s;
    }
    default: {
      std::string l = "$L" + std::to_string(next_label_++);
      labels_.push_back(l);
      std::string s = "(if " + l + " " + cond() + " (then " + statements(depth + 1) + ") (else " +
                      statements(depth + 1) + "))";
      labels_.pop_back();
      return s;
    }
    }
  }

  std::mt19937 rng_;
  std::vector<std::string> labels_;
  int next_label_ = 0;
};

TEST(CheckPointWasm, RandomLoopNestsStopOnEveryLimit) {
  constexpr int kFunctions = 300;
  LoopGen gen(20261202);
  std::string wat = "(module\n";
  for (int i = 0; i < kFunctions; ++i) wat += gen.function("r" + std::to_string(i));
  wat += ")";
  auto inst = instantiateWat(wat);
  ASSERT_NE(inst, nullptr);
  for (int i = 0; i < kFunctions; ++i) {
    std::string name = "r" + std::to_string(i);
    stopsEveryWay(*inst, name, "random loop nest " + name);
  }
}

} // namespace
} // namespace halter::test
