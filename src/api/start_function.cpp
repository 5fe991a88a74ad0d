#include "api/start_function.h"

#include "compile/compiled_module.h"
#include "exec/execution.h"

namespace halter {

Result<void> runStartFunction(rt::Instance &inst, const Limits &limits, const CancelToken &cancel) {
  const std::optional<uint32_t> &start_index = inst.module->ir.start;
  if (!start_index) return okResult();
  exec::Execution start;
  start.init(*inst.funcs[*start_index], {}, limits, cancel);
  HALTER_TRY(start.run());
  const Outcome &out = start.out;
  if (out.trapped()) return makeError(ErrorCode::InstantiationTrap, kNoOffset, out.trap.describe());
  if (out.kind == OutcomeKind::DeadlineExceeded)
    return makeError(ErrorCode::DeadlineExceeded, kNoOffset,
                     "start function stopped: deadline exceeded");
  if (out.kind == OutcomeKind::Cancelled)
    return makeError(ErrorCode::Cancelled, kNoOffset, "start function stopped: cancelled");
  if (out.kind == OutcomeKind::OutOfFuel)
    return makeError(ErrorCode::OutOfFuel, kNoOffset, "start function stopped: out of fuel");
  if (out.kind == OutcomeKind::Exited) {
    return makeError(ErrorCode::Exited, kNoOffset,
                     "start function exited with code " + std::to_string(out.exit_code));
  }
  return okResult();
}

} // namespace halter
