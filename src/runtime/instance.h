// The state of one instance: its index spaces resolved to runtime objects.
// Built by rt::instantiate (instantiate.h); read by the interpreter.
#pragma once

#include "halter/halter.h"
#include "ir/module.h"
#include "runtime/function.h"
#include "runtime/global.h"
#include "runtime/memory.h"
#include "runtime/table.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace halter::compile {
struct CompiledModule;
}

namespace halter::rt {

class LifetimeGroup;
struct ResetPoint; // snapshot.h

class Instance {
public:
  // The module this is an instance of (null for the tests' bare instances).
  std::shared_ptr<const compile::CompiledModule> module;
  // Interned type of each type index of the module.
  std::vector<const FuncType *> types;

  std::vector<Function *> funcs; // function index space (imports first)
  std::vector<std::shared_ptr<Memory>> memories;
  std::vector<std::shared_ptr<Table>> tables;
  std::vector<std::shared_ptr<Global>> globals;

  std::vector<std::unique_ptr<Function>> defined_funcs; // owned
  std::vector<std::shared_ptr<Function>> host_funcs;    // imported host functions
  // Imported guest functions, tables and reference globals are kept alive by
  // the lifetime group (lifetime_group.h), which owns this instance. The
  // current group; guarded by the group mutex (read it with groupOf).
  std::weak_ptr<LifetimeGroup> group;

  // Element segments as resolved references; emptied by elem.drop (and for
  // active and declarative segments, after instantiation).
  std::vector<std::vector<RefPtr>> elem_segments;
  // Data segments: dropped ones read as empty.
  std::vector<bool> data_dropped;

  // Set by a restore: what reset() goes back to instead of the module's
  // initial state (the snapshot's state).
  std::shared_ptr<const ResetPoint> reset_point;

  // Fast paths for the interpreter (memory 0 / table 0 or null).
  Memory *memory0 = nullptr;

  // Default limits of calls into this instance (caps were applied when it was made).
  Limits limits;
  // Executions of this instance's functions stopped in a resumable state
  // (OutOfFuel, Suspended): while non-zero, new calls are refused with
  // ReentrantCall (DESIGN §5).
  std::atomic<uint32_t> paused_executions{0};
  bool parked() const { return paused_executions.load(std::memory_order_relaxed) != 0; }
  // Instances are single-threaded (DESIGN §3.7): the thread running code of
  // this instance (kNoThread: none), taken with compare-exchange by
  // exec::Execution::run for the whole run, and how many runs of that thread
  // are nested in it (a host function calling back into the instance).
  // busy_depth is touched only by the owning thread.
  static constexpr uintptr_t kNoThread = 0;
  std::atomic<uintptr_t> busy_thread{kNoThread};
  uint32_t busy_depth = 0;
  // Takes the instance for the calling thread: false when another thread
  // holds it. Each successful tryEnter is paired with one leave.
  bool tryEnter();
  void leave();

  // The message of the last error a HostErrors::NegativeCode import returned
  // to this instance's code; read by the guest through halter.last_error.
  std::string last_host_error;

  // Instance::stats: runs of executions entering this instance's code, and
  // how many ended in a trap or were stopped by a limit (fuel, deadline,
  // cancel); resets done. Written by the thread holding the instance.
  std::atomic<uint64_t> runs{0};
  std::atomic<uint64_t> traps{0};
  std::atomic<uint64_t> limit_stops{0};
  std::atomic<uint64_t> resets{0};

  // Contents of data segment `i` ( empty once dropped).
  std::span<const uint8_t> dataSegment(uint32_t i) const;
};

} // namespace halter::rt
