// Every loop is a check point, whatever branch form carries its back edge
// (DESIGN §3.3, compile/register_code.h). The forms come from the
// instruction table: every instruction whose shape has a branch offset.
// Each is run as the back edge of a loop of itself alone (offset 0) and of a
// loop of two instructions (offset < 0), and must stop on a deadline and on
// a cancel from another thread. A form added to the table without going
// through the interpreter's check point hangs here and the watchdog fails
// the test binary.
#include "checkpoint_harness.h"
#include "compile/compiled_function.h"
#include "compile/register_code.h"
#include "exec/execution.h"
#include "exec/interpreter.h"
#include "runtime/api_access.h"
#include "runtime/function.h"
#include "runtime/instance.h"
#include "wat_fixture.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace halter::test {
namespace {

using compile::IOp;

constexpr uint64_t kSlotBytes = 8;
constexpr uint32_t kFrameSlots = 16;
// Operand slots of the branch under test; the loop's extra instruction
// copies between two slots above them.
constexpr uint64_t kCopyDst = 14 * kSlotBytes, kCopySrc = 15 * kSlotBytes;

// Values each slot and immediate operand takes, in every combination, until
// the branch is taken: enough to make every comparison hold one way.
const uint64_t kValues[] = {0, 1, 2, ~uint64_t{0}};

// A loop of register code around one branch instruction: Const setup,
// [Copy,] the branch (target: the loop head), Return.
struct Program {
  compile::LoweredCode code; // not threaded
  std::string text;          // for failure messages
};

// Builds the program for `op` with operand values picked by `combo` (one
// base-4 digit per non-offset operand word). For br_table, `arm` is the arm
// that loops; the others exit.
Program makeProgram(IOp op, uint64_t combo, bool with_copy, size_t arm) {
  Program p;
  std::vector<uint64_t> &c = p.code.code;
  const char *shape = compile::kIOpShapes[size_t(op)];
  std::vector<uint64_t> branch;
  branch.push_back(uint64_t(op));
  std::vector<std::pair<uint64_t, uint64_t>> slot_values; // (slot, value)
  auto next_value = [&combo] {
    uint64_t v = kValues[combo % 4];
    combo /= 4;
    return v;
  };
  size_t loop_words = with_copy ? 3 : 0;
  std::vector<size_t> offset_words; // indices in `branch`
  if (op == IOp::BrTable) {
    // idx slot, n = 2, three arms (the last is the default).
    branch.push_back(0);
    branch.push_back(2);
    for (size_t k = 0; k < 3; ++k) {
      offset_words.push_back(branch.size());
      branch.push_back(0);
    }
    // The index selects `arm` (any index past the end selects the default).
    slot_values.push_back({0, arm == 2 ? 7 : arm});
  } else {
    uint64_t next_slot = 0;
    for (size_t k = 0; shape[k] != '\0'; ++k) {
      if (shape[k] == 's') {
        uint64_t slot = next_slot++ * kSlotBytes;
        branch.push_back(slot);
        slot_values.push_back({slot, next_value()});
      } else if (shape[k] == 'i') {
        branch.push_back(next_value());
      } else {
        offset_words.push_back(branch.size());
        branch.push_back(0);
      }
    }
  }
  for (auto [slot, value] : slot_values) {
    c.insert(c.end(), {uint64_t(IOp::Const), slot, value});
  }
  if (with_copy) c.insert(c.end(), {uint64_t(IOp::Copy), kCopyDst, kCopySrc});
  size_t branch_at = c.size();
  for (size_t k = 0; k < offset_words.size(); ++k) {
    bool loops = op != IOp::BrTable || k == arm;
    // Back to the loop head, or forward to the Return just after.
    branch[offset_words[k]] = loops ? uint64_t(-int64_t(loop_words)) : uint64_t(branch.size());
  }
  c.insert(c.end(), branch.begin(), branch.end());
  c.push_back(uint64_t(IOp::Return));
  p.code.frame_slots = kFrameSlots;
  p.code.source_map = {{0, 0}};
  p.text = compile::kIOpNames[size_t(op)];
  p.text += with_copy ? " (loop of 2)" : " (loop of 1)";
  if (op == IOp::BrTable) p.text += " arm " + std::to_string(arm);
  p.text += " at word " + std::to_string(branch_at);
  return p;
}

size_t valueOperands(IOp op) {
  if (op == IOp::BrTable) return 0;
  size_t n = 0;
  for (const char *s = compile::kIOpShapes[size_t(op)]; *s != '\0'; ++s) n += *s != 'o';
  return n;
}

class CheckPointForms : public ::testing::Test {
protected:
  void SetUp() override {
    // An instance to run in: its function type () -> () and nothing else.
    host_ = instantiateWat("(module (func (export \"f\")))");
    ASSERT_NE(host_, nullptr);
  }

  // Runs `p` stopped by `how` after `after`; returns the outcome kind.
  StopResult runProgram(Program &p, StopBy how, std::chrono::milliseconds after = kStopAfter) {
    // Published as the unmetered form of a function without params or locals.
    auto threaded = std::make_unique<compile::LoweredCode>(p.code);
    exec::threadCode(*threaded);
    compile::CompiledFunction code;
    code.publish(compile::Form::Plain, std::move(threaded));
    rt::Function fn;
    fn.instance = detail::ApiAccess::impl(*host_);
    fn.type = fn.instance->funcs[0]->type;
    fn.code = &code;
    return stopRunaway(
        p.text, how, false,
        [&](const CallOptions &options) -> Result<Execution> {
          Execution e = detail::ApiAccess::newExecution(detail::ApiAccess::implShared(*host_));
          detail::ApiAccess::engine(e)->init(fn, {}, *options.limits, options.cancel);
          return e;
        },
        after);
  }

  std::shared_ptr<Instance> host_;
};

TEST_F(CheckPointForms, EveryBranchFormOfTheTableStopsAsALoopBackEdge) {
  size_t forms = 0;
  for (int i = 0; i < compile::kIOpCount; ++i) {
    IOp op = IOp(i);
    if (!compile::isBranch(op)) continue;
    ++forms;
    size_t arms = op == IOp::BrTable ? 3 : 1;
    for (size_t arm = 0; arm < arms; ++arm) {
      for (bool with_copy : {false, true}) {
        // Find operand values that take the branch: a taken branch loops
        // forever and only the deadline ends it; an untaken one returns in
        // microseconds (the deadline is far enough that a loaded machine
        // cannot make an untaken branch look taken).
        uint64_t combos = 1;
        for (size_t k = 0; k < valueOperands(op); ++k) combos *= 4;
        uint64_t taken = combos;
        for (uint64_t combo = 0; combo < combos && taken == combos; ++combo) {
          Program p = makeProgram(op, combo, with_copy, arm);
          StopResult r = runProgram(p, StopBy::Deadline, std::chrono::milliseconds(50));
          ASSERT_TRUE(r.kind == OutcomeKind::Returned || r.kind == OutcomeKind::DeadlineExceeded)
              << p.text << ": " << outcomeKindName(r.kind);
          if (r.kind == OutcomeKind::DeadlineExceeded) taken = combo;
        }
        Program p = makeProgram(op, taken == combos ? 0 : taken, with_copy, arm);
        ASSERT_NE(taken, combos) << p.text << ": no operand values take the branch";
        StopResult cancelled = runProgram(p, StopBy::Cancel);
        EXPECT_EQ(cancelled.kind, OutcomeKind::Cancelled) << p.text;
        EXPECT_LT(cancelled.late, std::chrono::milliseconds(500)) << p.text;
      }
    }
  }
  // Br, BrIf, BrUnless, BrTable, BrIncNz, BrIncZ, 40 compare forms and 40
  // add-compare forms at the time of writing; a new form only adds to this.
  EXPECT_GE(forms, 86u);
}

} // namespace
} // namespace halter::test
