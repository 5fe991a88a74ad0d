// Lowering of validated function bodies into register code.
#pragma once

#include "compile/compiled_function.h"
#include "compile/register_code.h"
#include "halter/result.h"
#include "ir/module.h"

#include <vector>

namespace halter::compile {

// The frame shape of defined function `defined_index` (params, declared
// locals, results in slots), known without lowering it.
void describeFrame(const ir::Module &module, uint32_t defined_index, CompiledFunction &fn);

// A place where a run stops and may continue later, in another process
// (execution snapshots, exec/execution_snapshot.cpp): an instruction that
// can run out of fuel and is run again when fuel is added (isStopPoint),
// and, for calls, the instruction after it, where a suspended host call
// returns. `temps` are the operand-stack temporaries live at the
// instruction, operands included, with their types; declared locals are
// always live.
struct StopPoint {
  uint32_t at = 0;    // code index of the instruction
  uint32_t words = 0; // its length in words
  IOp op = IOp::Fuel;
  std::vector<std::pair<uint32_t, ValType>> temps; // slot byte offset, type
};

// The instructions whose handlers can leave through out_of_fuel with pc at
// their start (exec/handlers: Fuel, ENTER_GUEST, CHARGE).
bool isStopPoint(IOp op);

// Lowers one form of defined function `defined_index` of a module that has
// passed validation. Its code is not threaded yet (exec::threadCode).
// With `stops`, also lists its stop points in code order (lowering is
// deterministic: the same module and form give the same code and points in
// every process).
Result<LoweredCode> lowerFunction(const ir::Module &module, uint32_t defined_index, Form form,
                                  std::vector<StopPoint> *stops = nullptr);

// One form of every defined function (imports excluded), for disassembly and
// tests.
Result<std::vector<LoweredCode>> lowerModule(const ir::Module &module, Form form = Form::Plain);

} // namespace halter::compile
