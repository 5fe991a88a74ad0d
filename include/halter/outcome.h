// What a call into a guest ended with.
#pragma once

#include "halter/types.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace halter {

// X(Name, "spec-style message")
#define HALTER_TRAP_KINDS(X)                                                                       \
  X(Unreachable, "unreachable")                                                                    \
  X(MemoryOutOfBounds, "out of bounds memory access")                                              \
  X(TableOutOfBounds, "out of bounds table access")                                                \
  X(UndefinedElement, "undefined element")                                                         \
  X(UninitializedElement, "uninitialized element")                                                 \
  X(IndirectCallTypeMismatch, "indirect call type mismatch")                                       \
  X(IntegerDivideByZero, "integer divide by zero")                                                 \
  X(IntegerOverflow, "integer overflow")                                                           \
  X(InvalidConversion, "invalid conversion to integer")                                            \
  X(StackExhausted, "call stack exhausted")                                                        \
  X(HostError, "host error")                                                                       \
  X(ReentrantCall, "call into an instance with a paused execution")                                \
  X(InstanceBusy, "call into an instance running on another thread")                               \
  X(LoweringFailed, "function could not be lowered (engine error)")

enum class TrapKind : uint8_t {
#define HALTER_TRAP_ENUM(name, text) name,
  HALTER_TRAP_KINDS(HALTER_TRAP_ENUM)
#undef HALTER_TRAP_ENUM
};

const char *trapKindName(TrapKind kind);
const char *trapKindText(TrapKind kind);

struct BacktraceFrame {
  uint32_t func_index = 0;  // in the module's function index space
  uint64_t code_offset = 0; // byte offset of the instruction in the module binary
  uint64_t func_offset = 0; // the same from the start of the function's body (its locals)
  std::string func_name;    // from the `name` section, or empty
};

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::string message;                   // extra detail (host error text), may be empty
  std::vector<BacktraceFrame> backtrace; // innermost frame first
  std::string describe() const;
};

enum class OutcomeKind : uint8_t {
  Returned,
  Trapped,
  OutOfFuel,
  DeadlineExceeded,
  Cancelled,
  Suspended,
  Exited,
};

const char *outcomeKindName(OutcomeKind kind);

// What an execution used, over all its runs so far.
struct RunStats {
  uint64_t fuel_used = 0; // 0 when unmetered
  // Time spent inside Execution::run (guest code and host calls), not the
  // time an execution sat paused between runs.
  std::chrono::nanoseconds wall_time{0};
  // Largest size a linear memory reached while the execution ran (the
  // calling instance's memory 0, and any memory the guest grew).
  uint64_t peak_memory_bytes = 0;
  bool memory_cap_hit = false; // a memory.grow was refused by max_memory_bytes
  bool table_cap_hit = false;  // a table.grow was refused by max_table_elements
};

// A host call that suspended (HostResult::suspend) and waits for an answer.
struct PendingCall {
  std::string module; // the import's module and name, as the host defined them
  std::string name;
  std::vector<Value> args;
  uint64_t token = 0; // unique per suspension in this process, for the embedder's maps
};

struct Outcome {
  OutcomeKind kind = OutcomeKind::Returned;
  std::vector<Value> results; // when Returned
  Trap trap;                  // when Trapped
  int exit_code = 0;          // when Exited
  PendingCall pending;        // when Suspended
  RunStats stats;

  bool returned() const { return kind == OutcomeKind::Returned; }
  bool trapped() const { return kind == OutcomeKind::Trapped; }
  bool suspended() const { return kind == OutcomeKind::Suspended; }
};

} // namespace halter
