// The public C++ API of halter: compile a module, link its imports,
// instantiate it and call its exports.
#pragma once

#include "halter/limits.h"
#include "halter/module_info.h"
#include "halter/outcome.h"
#include "halter/result.h"
#include "halter/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace halter {

template <class Sig> class TypedFunc; // typed_func.h
namespace detail {
class TypedTarget;
// The one door from the engine (and its tests) to the objects behind the
// public handles (src/runtime/api_access.h); embedders have no use for it.
struct ApiAccess;
} // namespace detail

// When Module::compile lowers function bodies to the interpreter's code.
// Validation is complete either way: an invalid module is rejected by compile.
enum class Lowering : uint8_t {
  Lazy,         // each function by its first call, of the form that call needs
  Eager,        // every function now, unmetered form (runs without fuel)
  EagerMetered, // every function now, metered form (runs with Limits::fuel)
  EagerBoth,    // every function now, both forms: no first-call work at all
};

struct CompileOptions {
  Lowering lowering = Lowering::Lazy;
  // Copy-on-write memory images: when memory 0 is the module's own and its
  // active data segments sit at constant offsets inside its initial size,
  // their bytes are laid out once (on the first instantiation) in an
  // anonymous file that every instance maps privately: instantiation copies
  // nothing and Instance::reset lets the kernel refill only the touched
  // pages. Other modules, or false here, copy the segments into each
  // instance. Either way the guest sees the same bytes.
  bool memory_images = true;
  // Threads that decode and validate the function bodies of a large module
  // (over 1 MiB of code): 0 uses the machine's cores, at most 4. Any count
  // reports the same first error.
  unsigned compile_threads = 0;
};

// A decoded and validated module, its functions lowered on first call
// (Startup in the README). Immutable to its users; share it between threads
// and instantiate it as often as needed.
class Module {
public:
  // Decode, validate and (as options.lowering says) lower `bytes`. Errors
  // carry the byte offset. Lazy lowering is thread-safe: first calls of one
  // function from several threads lower it once.
  static Result<std::shared_ptr<const Module>> compile(std::span<const uint8_t> bytes,
                                                       const CompileOptions &options = {});
  // Decode and validate only.
  static Result<void> validate(std::span<const uint8_t> bytes);

  const std::vector<ImportInfo> &imports() const;
  const std::vector<ExportInfo> &exports() const;
  const std::vector<SectionInfo> &sections() const;
  // The binary the module was compiled from (kept for lazy lowering).
  std::span<const uint8_t> bytes() const;
  // Type of an exported function, or nullptr when `name` is not a function export.
  const FuncType *exportedFuncType(std::string_view name) const;
  // Compile time and how much code has been lowered so far (it grows as
  // calls reach functions under Lowering::Lazy).
  ModuleStats stats() const;
  // The internal register code of function `func_index` (the module's
  // function index space, imports first) after a line `func N "export
  // name"...:`, one instruction a line with
  // operands named by their shape (`halter disasm`), without or with the
  // fuel metering. For reading performance, not a stable format. Errors:
  // NotFound for an index past the end or an imported function.
  Result<std::string> disassemble(uint32_t func_index, bool metered = false) const;
  // Every defined function, each after a line `func N "export name"...:`.
  Result<std::string> disassembleAll(bool metered = false) const;

private:
  friend struct detail::ApiAccess;
  explicit Module(std::shared_ptr<const void> compiled);
  // The engine's compiled module (compile::CompiledModule), typed by ApiAccess.
  std::shared_ptr<const void> compiled_;
};

// What a host function answers:
// - ok(): its results, written into the result span;
// - trap(message): the guest traps with HostError(message);
// - error(message, code): for an import defined with HostErrors::NegativeCode
//   the guest receives -code as the result and can read the message through
//   halter.last_error; for any other import, the same as trap. `code` must be
//   >= 1, as for Execution::resumeWithError: an error with a code below 1
//   traps the guest with HostError naming the bad code, on every import;
// - exit(code): the guest program ends (WASI proc_exit): OutcomeKind::Exited;
// - suspend(): the guest is parked; Execution::run() returns Suspended with
//   the pending call, and Execution::resume / resumeWithError answer it later
//   (under Instance::call, which cannot wait, a suspension is a trap).
// A C++ exception escaping a host function is caught where halter calls it:
// the guest traps with HostError("host function M.N threw: " + what(), or
// "unknown exception"), the execution ends and the host is not called again
// for it. Thread-cancellation unwinding (abi::__forced_unwind) passes through.
class HostResult {
public:
  enum class Kind : uint8_t { Ok, Trap, Error, Exit, Suspend };
  static HostResult ok() { return HostResult(); }
  static HostResult trap(std::string message) {
    return HostResult(Kind::Trap, 0, std::move(message));
  }
  static HostResult error(std::string message, int32_t code = 1) {
    return HostResult(Kind::Error, code, std::move(message));
  }
  static HostResult exit(int code) { return HostResult(Kind::Exit, code, {}); }
  static HostResult suspend() { return HostResult(Kind::Suspend, 0, {}); }
  Kind kind() const { return kind_; }
  bool trapped() const { return kind_ == Kind::Trap; }
  const std::string &message() const { return message_; }
  int exitCode() const { return code_; }
  int32_t errorCode() const { return code_; }

private:
  HostResult() = default;
  HostResult(Kind kind, int32_t code, std::string message)
      : kind_(kind), code_(code), message_(std::move(message)) {}
  Kind kind_ = Kind::Ok;
  int32_t code_ = 0;
  std::string message_;
};

// How errors of a host import reach the guest (DESIGN §5).
enum class HostErrors : uint8_t {
  // HostResult::error and Execution::resumeWithError trap the guest with
  // HostError(message).
  Trap,
  // The import must have exactly one result, i32 or i64. An error returns
  // -code to the guest instead (code >= 1); the guest reads the message with
  // the built-in import halter.last_error (see include/halter/halter_guest.h).
  NegativeCode,
};

// What a host function sees besides its arguments.
class CallContext {
public:
  // A context with no caller and no execution: no memory, never
  // interrupted, no deadline. For calling a host function outside a guest
  // (its unit tests, for one); halter makes the real ones.
  CallContext() = default;
  // The calling instance's memory 0 (empty span when it has none). Valid only
  // during the call; bounds are the caller's business.
  std::span<uint8_t> memory() const;
  // Bounds-checked copies out of and into that memory: InvalidArgument
  // (naming the range and the memory's size) when [addr, addr + size) is
  // not inside it, or when the caller has no memory; nothing is copied then.
  Result<void> read(uint64_t addr, std::span<uint8_t> out) const;
  Result<void> write(uint64_t addr, std::span<const uint8_t> in) const;
  // The calling execution's deadline, if it has one.
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // True once the execution was cancelled or its deadline passed: a host
  // function that waits should give up and return (any answer; the
  // execution then ends with Cancelled or DeadlineExceeded, guaranteed once
  // this returned true).
  bool interrupted() const;
  // Blocks until `until`, the deadline or an interruption, whichever comes
  // first. Returns true when `until` was reached uninterrupted.
  bool waitUntil(Clock::time_point until) const;
  // A descriptor that turns readable when the execution is interrupted
  // (cancel or deadline): a host function blocked in poll(2) on its own
  // descriptors adds it to wake up at once. -1 when there is none.
  int interruptFd() const;
  // For typed host functions (host_func.h), whose return value can only be
  // results: answer `r` (a trap, error, exit or suspend) instead.
  void answer(HostResult r) { answer_ = std::move(r); }
  std::optional<HostResult> &answerOverride() { return answer_; }

private:
  friend struct detail::ApiAccess;
  std::optional<HostResult> answer_;
  // The engine's calling instance and interrupt word (rt::Instance,
  // exec::Interrupt), typed by ApiAccess; null outside a guest call.
  void *caller_ = nullptr;
  void *interrupt_ = nullptr;
  std::optional<Clock::time_point> deadline_;
};

// args.size() == type.params.size(); the function writes results[i] for each result.
using HostFunction = std::function<HostResult(CallContext &ctx, std::span<const Value> args,
                                              std::span<Value> results)>;

struct CallOptions {
  // Replaces the instance's limits for this call (memory and table caps can
  // only be lowered for the call: grows past the instance's caps stay refused).
  std::optional<Limits> limits;
  CancelToken cancel;
};

class Execution;

// A WebAssembly external value: a function, table, memory or global, owned
// either by an instance or by the host.
//
// Threads: reading or changing a table, memory or global (and growing it)
// while a call runs on another thread in the instance that uses it is a data
// race; do it between calls or from a host function of that instance.
class Extern {
public:
  Extern() = default;
  ExternKind kind() const { return kind_; }
  bool valid() const { return object_ != nullptr; }

  // `module` and `name` name the function in suspended calls (PendingCall).
  static Extern hostFunc(FuncType type, HostFunction fn, HostErrors errors = HostErrors::Trap,
                         std::string module = {}, std::string name = {});
  static Result<Extern> hostMemory(MemoryType type);
  static Result<Extern> hostTable(TableType type, Value init);
  static Result<Extern> hostGlobal(GlobalType type, Value value);

  // Globals: read and (if mutable) write.
  Result<Value> globalValue() const;
  Result<void> setGlobalValue(Value v) const;
  // Memories: current bytes (valid until the next grow or Instance::reset).
  std::span<uint8_t> memoryBytes() const;
  // Memories: bounds-checked copies (as CallContext::read/write), valid
  // across memory.grow; InvalidArgument when this is not a memory.
  Result<void> read(uint64_t addr, std::span<uint8_t> out) const;
  Result<void> write(uint64_t addr, std::span<const uint8_t> in) const;
  // Memories: size in 64 KiB pages, and memory.grow by `delta` pages: the
  // old size, or ResourceLimit when the type's maximum or the instance's
  // cap (Limits::max_memory_bytes) refuses (the memory is unchanged).
  uint64_t memoryPages() const;
  Result<uint64_t> memoryGrow(uint64_t delta) const;

  // Types, read from the object now: a table's or memory's limits.min is
  // its current size. InvalidArgument when this is another kind.
  Result<FuncType> funcType() const;
  Result<GlobalType> globalType() const;
  Result<TableType> tableType() const;
  Result<MemoryType> memoryType() const;

  // Tables. Elements are Values of the table's type; a funcref names a
  // function that only Extern can carry safely across handles, so:
  // tableGet gives null or an externref as a Value and a function as
  // tableGetFunc's Extern; tableSet and tableGrow take a null or externref
  // Value, or a function Extern (which the table then keeps alive).
  // Errors: InvalidArgument for not a table, a wrong element type, a
  // non-null funcref Value, or an index past the table's size; tableGrow
  // answers the old size, or ResourceLimit when the maximum or the cap
  // refuses (the table is unchanged).
  uint32_t tableSize() const;
  Result<Value> tableGet(uint32_t index) const;
  Result<Extern> tableGetFunc(uint32_t index) const; // invalid Extern for null
  Result<void> tableSet(uint32_t index, const Value &ref) const;
  Result<void> tableSet(uint32_t index, const Extern &func) const;
  Result<uint32_t> tableGrow(uint32_t delta, const Value &init) const;
  Result<uint32_t> tableGrow(uint32_t delta, const Extern &init) const;
  // Globals of type funcref: the function held (invalid Extern for null),
  // and a mutable one set to a function (kept alive by the global).
  Result<Extern> globalFunc() const;
  Result<void> setGlobalValue(const Extern &func) const;

  // Functions: this function as a funcref Value (for arguments and
  // results; the Value does not keep it alive), and back. fromFuncRef
  // takes only a funcref the engine gave (a call's result, a host
  // function's argument, a table or global value, funcRef()): any other
  // pointer is undefined behaviour. Null gives an invalid Extern.
  Value funcRef() const;
  static Extern fromFuncRef(const Value &ref);
  // Calls this function, a guest's or the host's, as Instance::call and
  // Instance::start do: under options.limits, else its instance's limits
  // (default Limits for a host function). ReentrantCall, InstanceBusy and
  // argument errors as there.
  Result<Outcome> call(std::span<const Value> args, const CallOptions &options = {}) const;
  Result<Execution> start(std::span<const Value> args, const CallOptions &options = {}) const;

  // The same object (function, table, memory or global), through any handle;
  // identity() is equal for handles of the same object, null for none (an
  // opaque key for the embedder's maps, never to be dereferenced).
  bool sameObject(const Extern &other) const {
    return object_ == other.object_ && kind_ == other.kind_;
  }
  const void *identity() const { return object_; }

private:
  friend struct detail::ApiAccess;
  // Keeps the object alive: the instance's lifetime group (runtime/
  // lifetime_group.h) for anything exported by an instance and for host
  // tables and mutable reference globals; otherwise the object itself.
  std::shared_ptr<void> owner_;
  void *object_ = nullptr; // rt::Function/Table/Memory/Global
  ExternKind kind_ = ExternKind::Func;
};

// Instance::reset's choices.
struct ResetOptions {
  // Runs the start function again after the reset, under the instance's
  // limits and this token.
  bool run_start = false;
  CancelToken cancel;
};

// Instance::snapshot's and Execution::snapshot's choices.
struct SnapshotOptions {
  // zstd over the body (the memories' non-zero blocks, globals, tables).
  bool compress = true;
  // Execution::snapshot only: the embedder's own state to save with the
  // execution, as it is (covered by the checksum; at most 16 MiB), given
  // back by Linker::restoreExecution in RestoredExecution::host_state. For
  // a WASI program: WasiContext::saveState(). Instance::snapshot refuses it.
  std::vector<uint8_t> host_state;
};

// What Instance::stats counts since the instance was made.
struct InstanceStats {
  // Runs of executions started on this instance (each Instance::call, each
  // Execution::run, the start function's), and how they ended: in a trap,
  // or stopped by a limit (out of fuel, deadline, cancel).
  uint64_t runs = 0;
  uint64_t traps = 0;
  uint64_t limit_stops = 0;
  uint64_t resets = 0; // successful Instance::reset calls
  // The instance's own memories, now (imported ones belong to their exporter).
  uint64_t memory_bytes = 0;
};

// One call into a guest that can stop and continue: run() returns each
// time the guest stops. After OutOfFuel, addFuel() and run() again continue
// exactly where it stopped; any other outcome ends the execution. While an
// execution is paused its instance refuses new calls (ReentrantCall);
// destroying the Execution drops the paused call and frees the instance.
//
// Lifetime: an Execution keeps alive what it runs on (the instance's
// lifetime group, and the called function's owner when started from an
// Extern), so it may outlive every Instance handle: dropping the last
// handle while an Execution exists frees nothing it needs.
//
// Threads: not thread-safe except cancel() (or the CancelToken), which any
// thread may call at any time. run() takes its instance for the calling
// thread for the length of the run (see Instance).
//
// A moved-from Execution is empty: run(), resume() and resumeWithError()
// return ErrorCode::InvalidArgument ("empty Execution"), finished() is true,
// paused() and suspended() are false, fuelLeft() is 0, stats() is all zero,
// addFuel() and cancel() do nothing.
class Execution {
public:
  Execution(Execution &&) noexcept;
  Execution &operator=(Execution &&) noexcept;
  ~Execution();

  // Runs the guest until it stops; the Outcome says how. Errors (nothing is
  // run, the execution is unchanged): ExecutionFinished once an outcome other
  // than OutOfFuel or Suspended ended it (that outcome was returned by the
  // run() that ended it; it is not repeated); InstanceBusy while another
  // thread runs a call on the instance (try again later); ReentrantCall when
  // the execution has not run yet and its instance has another paused
  // execution; InvalidArgument when empty. run() on an unanswered
  // suspension returns the Suspended outcome again (or Cancelled /
  // DeadlineExceeded once interrupted).
  Result<Outcome> run();
  // True when the last run() stopped with an outcome run() can continue from
  // (OutOfFuel, or Suspended once answered).
  bool paused() const;
  // True while a suspended host call waits for resume or resumeWithError.
  bool suspended() const;
  // Answers the pending host call with its results (checked against the
  // import's result types); run() then continues the guest.
  Result<void> resume(std::span<const Value> results);
  // Answers the pending host call with an error: the guest traps with
  // HostError(message) at the next run(), or, for a HostErrors::NegativeCode
  // import, receives -code and continues. `code` must be >= 1 (else
  // InvalidArgument), as for HostResult::error.
  Result<void> resumeWithError(std::string message, int32_t code = 1);
  // Memory 0 of the instance whose code the execution is in (for a parked
  // one: the instance that made the pending host call), bounds-checked as
  // CallContext::read/write: a host answering a suspended `ask(ptr, cap)`
  // writes its answer here before resume(). InvalidArgument when empty,
  // finished, or when that instance has no memory.
  Result<void> readMemory(uint64_t addr, std::span<uint8_t> out) const;
  Result<void> writeMemory(uint64_t addr, std::span<const uint8_t> in) const;
  // True once the execution ended (returned, trapped, cancelled, ...), and
  // for an empty (moved-from) Execution.
  bool finished() const;
  // True for a moved-from Execution.
  bool empty() const;
  // Adds fuel to a metered execution (none to an unmetered one). Sums
  // saturate: fuel left never exceeds INT64_MAX units and never drops.
  void addFuel(uint64_t units);
  // Fuel left (0 when unmetered).
  uint64_t fuelLeft() const;
  const RunStats &stats() const;
  // The parked execution with its instance as bytes that
  // Linker::restoreExecution turns into an equal execution, in this process
  // or another (README "Snapshots"): the instance's state (as
  // Instance::snapshot), and the frames, value stack, program points (as
  // code indices, never addresses), fuel and the pending host call. Only a
  // parked execution can be saved: Suspended and not answered yet, or
  // stopped OutOfFuel. Refused with InvalidArgument, saying why, otherwise,
  // and when a frame runs another instance's code (called through an
  // import) or a live value has no name in another process (a non-null
  // externref, a function of another instance).
  Result<std::vector<uint8_t>> snapshot(const SnapshotOptions &options = {}) const;
  // Any thread, any time: the execution ends with Cancelled at its next
  // check point or run(). It cancels through the execution's CancelToken
  // (CallOptions::cancel, or one of its own), so every execution sharing a
  // token given in CallOptions is cancelled with it.
  void cancel();

private:
  friend struct detail::ApiAccess;
  // The engine's execution and what it runs on (src/api/execution_state.h).
  struct State;
  explicit Execution(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// An instance is single-threaded: it runs one call at a time. A call (or
// Execution::run) while another thread runs code of the instance is refused
// at once with ErrorCode::InstanceBusy, before any guest code runs; calls
// on one thread may nest (a host function calling back into the instance).
// Different instances run in parallel on different threads.
//
// Linked instances (one imports another's functions, or they share a table
// of functions) are one unit for threading: call a set of linked instances
// from one thread at a time. A guest call from one instance into another
// takes the callee for the rest of the run (as call() would), and traps with
// TrapKind::InstanceBusy when another thread runs it (ReentrantCall when it
// is parked).
class Instance {
public:
  // Calls an exported function to its end. The Error is for misuse (no
  // such export, wrong arguments, ReentrantCall while an execution of this
  // instance is paused, InstanceBusy while another thread runs it,
  // InvalidArgument for limits no call can run under, see limits.h); what
  // the guest did is in the Outcome. An OutOfFuel outcome here ends the call
  // (use start() to continue it instead). call() cannot wait for a host
  // function that suspends (HostResult::suspend): the call ends with a trap
  // HostError whose message says to use start() instead.
  Result<Outcome> call(std::string_view export_name, std::span<const Value> args,
                       const CallOptions &options = {});
  Result<Outcome> call(const Extern &func, std::span<const Value> args,
                       const CallOptions &options = {});
  // Prepares a call without running it; Execution::run() runs it. The
  // Execution keeps the instance alive (see Execution).
  Result<Execution> start(std::string_view export_name, std::span<const Value> args,
                          const CallOptions &options = {});
  Result<Execution> start(const Extern &func, std::span<const Value> args,
                          const CallOptions &options = {});

  // The limits calls use unless CallOptions replace them. Memory and table
  // caps were applied when the instance was made; changing them here only
  // affects later grows.
  const Limits &limits() const;
  void setLimits(const Limits &limits);

  // A typed handle on the exported function `export_name`, for calls
  // without Value vectors (typed_func.h). NotFound when there is no such
  // function export; InvalidArgument when `Sig` (for example
  // int32_t(int32_t, int32_t)) does not match its type.
  template <class Sig> Result<TypedFunc<Sig>> typed(std::string_view export_name) const;

  Result<Extern> getExport(std::string_view name) const;
  Result<Value> getGlobal(std::string_view export_name) const;
  const Module &module() const { return *module_; }

  // Back to the state Linker::instantiate gave, as a new instance with the
  // same imports would be before its start function: the instance's own
  // memories at their initial size and content (a memory that grew shrinks,
  // and the pages past the initial size go back to the system; within it,
  // a memory of at most 8 MiB with at most 2 MiB written has its written
  // pages rewritten in place, found through /proc/self/pagemap, and kept
  // resident for the next use; otherwise they go back too: the cost follows
  // the pages touched, not the memory's size), its own tables at
  // their initial size, globals at their initial values, no segment
  // dropped, active segments written again (into imported memories and
  // tables too, as instantiation writes them; imported objects are not
  // otherwise reset). The start function runs again only when asked; limits
  // set by setLimits stay. Allowed after any outcome, a trap included.
  // Refused with ReentrantCall while an execution of the instance is parked
  // (resume or drop it first), with InstanceBusy while a call runs (another
  // thread's, or the caller's own: a host function cannot reset the
  // instance that called it), and with InvalidArgument when another
  // instance imports one of its memories or tables (reset the linked set by
  // instantiating it anew). A failed start function leaves the instance
  // reset, as instantiate left it before its start function. A memory span
  // taken before the reset (Extern::memoryBytes, CallContext::memory) may
  // reach past the shrunk memory: take it again; read/write stay checked.
  Result<void> reset(const ResetOptions &options = {});

  // The instance's state as bytes that Linker::restore turns into an equal
  // instance, in this process or another (README "Snapshots"): its own
  // memories (the 4 KiB blocks that are not all zero), globals and tables
  // (functions by their index in the module's function index space) and
  // dropped segments, under a versioned header with the module's hash and a
  // checksum. Imported memories, tables and globals are not in it (their
  // owner's snapshot holds them). Refused with InvalidArgument when a
  // reference has no name in another process (a non-null externref, a
  // function of another instance), with ReentrantCall while an execution is
  // parked and InstanceBusy while a call runs.
  Result<std::vector<uint8_t>> snapshot(const SnapshotOptions &options = {}) const;

  // Counters and sizes (InstanceStats). Safe to read while no call runs on
  // the instance; from the thread running one it is exact, from another
  // thread it is a snapshot that may lag.
  InstanceStats stats() const;

private:
  friend struct detail::ApiAccess;
  Result<detail::TypedTarget> typedTarget(std::string_view export_name,
                                          std::span<const ValType> params,
                                          std::span<const ValType> results) const;
  // The engine's instance (rt::Instance), typed by ApiAccess; shares
  // ownership of the instance's lifetime group, not of the instance alone.
  std::shared_ptr<void> impl_;
  std::shared_ptr<const Module> module_;
};

// A snapshot (Instance::snapshot) read and checked once against its module,
// to restore any number of instances from: they share its memory images
// copy-on-write, so each restore maps instead of copying. Immutable; share
// it between threads.
class Snapshot {
public:
  // Errors: InvalidSnapshot, as Linker::restore's.
  static Result<std::shared_ptr<const Snapshot>> read(std::shared_ptr<const Module> module,
                                                      std::span<const uint8_t> bytes);
  const std::shared_ptr<const Module> &module() const { return module_; }

private:
  friend class Linker;
  Snapshot(std::shared_ptr<const Module> module, std::shared_ptr<const void> state)
      : module_(std::move(module)), state_(std::move(state)) {}
  std::shared_ptr<const Module> module_;
  std::shared_ptr<const void> state_; // rt::ResetPoint
};

// What Linker::restoreExecution gives: the restored instance and its parked
// execution (which keeps the instance alive while it exists).
struct RestoredExecution {
  std::shared_ptr<Instance> instance;
  Execution execution;
  // SnapshotOptions::host_state as saved (empty when none was given): for a
  // WASI program, what WasiContext::restoreState takes before the
  // execution runs on.
  std::vector<uint8_t> host_state;
};

// Resolves imports by (module, name) and instantiates modules.
class Linker {
public:
  void define(std::string module, std::string name, Extern value);
  void defineFunc(std::string module, std::string name, FuncType type, HostFunction fn,
                  HostErrors errors = HostErrors::Trap);
  // A typed host function: the wasm type comes from the callable's signature
  // (include/halter/host_func.h lists the C++ types that map to wasm types).
  template <class F>
  void defineFunc(std::string module, std::string name, F &&fn,
                  HostErrors errors = HostErrors::Trap);
  // Defines every export of `instance` under `module`.
  void defineInstance(const std::string &module, const Instance &instance);

  // Resolves imports, allocates and initialises the instance, runs the start
  // function. A trap during instantiation is ErrorCode::InstantiationTrap;
  // segments written before the trap stay written (WebAssembly 2.0). The
  // start function runs under `limits` (fuel, timeout, deadline) and stops
  // on `cancel` from any thread; stopped, it fails the instantiation with
  // ErrorCode::DeadlineExceeded, Cancelled or OutOfFuel; a start function
  // that exits fails it with Exited.
  Result<std::shared_ptr<Instance>> instantiate(std::shared_ptr<const Module> module,
                                                const Limits &limits = {},
                                                const CancelToken &cancel = {}) const;
  // A new instance of `module`, with this linker's imports and `limits`, in
  // the state `snapshot` (Instance::snapshot of an instance of the same
  // module) holds. The start function does not run: the snapshot has its
  // effects. Errors: InvalidSnapshot, saying what and where, for a snapshot
  // that is truncated, corrupted, of another module or format version, or
  // does not fit the module or the limits (it never yields an instance
  // reaching outside its memories and tables); instantiate's otherwise.
  // The snapshot's memory contents are mapped copy-on-write, and a reset of
  // the restored instance goes back to the snapshot's state (a snapshot
  // taken after an expensive init is a reset point after it).
  Result<std::shared_ptr<Instance>> restore(std::shared_ptr<const Module> module,
                                            std::span<const uint8_t> snapshot,
                                            const Limits &limits = {}) const;
  // The same from a snapshot read once (Snapshot::read): only the caps are
  // left to check.
  Result<std::shared_ptr<Instance>> restore(const Snapshot &snapshot,
                                            const Limits &limits = {}) const;
  // A new instance of `module` and its parked execution from `snapshot`
  // (Execution::snapshot): Suspended on the same pending call (same import,
  // arguments and token; answer it with resume or resumeWithError), or
  // stopped OutOfFuel (addFuel, then run). Run on, it finishes as the
  // uninterrupted execution would, with the same results and fuel used.
  // Fuel left is the snapshot's, or `limits.fuel` when set (InvalidArgument
  // for a snapshot taken unmetered); the caps, stack size, call depth and
  // deadline are `limits`' (a timeout counts from now), and `cancel` stops
  // it. The pending import resolves in this linker and must be a host
  // function. Errors: InvalidSnapshot, saying what and where, as restore's,
  // and for frames, program points or stack values that do not fit the
  // module's code or the limits; instantiate's otherwise.
  Result<RestoredExecution> restoreExecution(std::shared_ptr<const Module> module,
                                             std::span<const uint8_t> snapshot,
                                             const Limits &limits = {},
                                             const CancelToken &cancel = {}) const;

private:
  Result<std::vector<Extern>> resolveImports(const Module &module) const;
  std::map<std::pair<std::string, std::string>, Extern> defs_;
  std::string definition_error_; // the first bad definition, reported by instantiate
};

} // namespace halter

#include "halter/host_func.h"
#include "halter/typed_func.h"
