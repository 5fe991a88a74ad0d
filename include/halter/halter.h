// The public C++ API of halter: compile a module, link its imports,
// instantiate it and call its exports.
#pragma once

#include "halter/limits.h"
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

namespace rt {
class Instance;
class Memory;
class Table;
class Global;
struct Function;
} // namespace rt
namespace exec {
class Execution;
}
class CompiledModule;

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  FuncType func;     // when kind == Func
  TableType table;   // when kind == Table
  MemoryType memory; // when kind == Memory
  GlobalType global; // when kind == Global
};

struct ExportInfo {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0; // in the module's index space of that kind
};

struct SectionInfo {
  uint8_t id = 0;
  std::string name; // "type", "code", ... or the custom section's own name
  uint64_t offset = 0;
  uint64_t size = 0;
};

// A decoded, validated and lowered module. Immutable; share it between
// threads and instantiate it as often as needed.
class Module {
public:
  // Decode, validate and lower `bytes`. Errors carry the byte offset.
  static Result<std::shared_ptr<const Module>> compile(std::span<const uint8_t> bytes);
  // Decode and validate only.
  static Result<void> validate(std::span<const uint8_t> bytes);

  const std::vector<ImportInfo> &imports() const;
  const std::vector<ExportInfo> &exports() const;
  const std::vector<SectionInfo> &sections() const;
  // Type of an exported function, or nullptr when `name` is not a function export.
  const FuncType *exportedFuncType(std::string_view name) const;

  const CompiledModule &compiled() const { return *compiled_; }
  explicit Module(std::shared_ptr<const CompiledModule> compiled);

private:
  std::shared_ptr<const CompiledModule> compiled_;
};

// What a host function sees besides its arguments.
class CallContext {
public:
  CallContext(rt::Instance *caller, exec::Interrupt *interrupt,
              std::optional<Clock::time_point> deadline)
      : caller_(caller), interrupt_(interrupt), deadline_(deadline) {}
  // The calling instance's memory 0 (empty span when it has none). Valid only
  // during the call; bounds are the caller's business.
  std::span<uint8_t> memory() const;
  // The calling execution's deadline, if it has one.
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // True once the execution was cancelled or its deadline passed: a host
  // function that waits should give up and return (any answer; the
  // execution then ends with Cancelled or DeadlineExceeded).
  bool interrupted() const;
  // Blocks until `until`, the deadline or an interruption, whichever comes
  // first. Returns true when `until` was reached uninterrupted.
  bool waitUntil(Clock::time_point until) const;

private:
  rt::Instance *caller_;
  exec::Interrupt *interrupt_;
  std::optional<Clock::time_point> deadline_;
};

// What a host function answers: results (written into its result span), a
// trap, or the end of the guest program with an exit code (WASI proc_exit:
// the execution ends with OutcomeKind::Exited, not a trap).
class HostResult {
public:
  enum class Kind : uint8_t { Ok, Trap, Exit };
  static HostResult ok() { return HostResult(); }
  static HostResult trap(std::string message) {
    HostResult r;
    r.kind_ = Kind::Trap;
    r.message_ = std::move(message);
    return r;
  }
  static HostResult exit(int code) {
    HostResult r;
    r.kind_ = Kind::Exit;
    r.exit_code_ = code;
    return r;
  }
  Kind kind() const { return kind_; }
  bool trapped() const { return kind_ == Kind::Trap; }
  const std::string &message() const { return message_; }
  int exitCode() const { return exit_code_; }

private:
  Kind kind_ = Kind::Ok;
  int exit_code_ = 0;
  std::string message_;
};

// args.size() == type.params.size(); the function writes results[i] for each result.
using HostFunction = std::function<HostResult(CallContext &ctx, std::span<const Value> args,
                                              std::span<Value> results)>;

// A WebAssembly external value: a function, table, memory or global, owned
// either by an instance or by the host.
class Extern {
public:
  Extern() = default;
  ExternKind kind() const { return kind_; }
  bool valid() const { return object_ != nullptr; }

  static Extern hostFunc(FuncType type, HostFunction fn);
  static Result<Extern> hostMemory(MemoryType type);
  static Result<Extern> hostTable(TableType type, Value init);
  static Result<Extern> hostGlobal(GlobalType type, Value value);

  // Globals: read and (if mutable) write.
  Result<Value> globalValue() const;
  Result<void> setGlobalValue(Value v) const;
  // Memories: current bytes (valid until the next grow).
  std::span<uint8_t> memoryBytes() const;

  // Keeps the object alive: the instance's lifetime group (runtime/
  // lifetime_group.h) for anything exported by an instance and for host
  // tables and mutable reference globals; otherwise the object itself.
  std::shared_ptr<void> owner_;
  void *object_ = nullptr; // rt::Function/Table/Memory/Global
  ExternKind kind_ = ExternKind::Func;
};

struct CallOptions {
  // Replaces the instance's limits for this call (memory and table caps can
  // only be lowered for the call: grows past the instance's caps stay refused).
  std::optional<Limits> limits;
  CancelToken cancel;
};

// One call into a guest that can stop and continue: run() returns each
// time the guest stops. After OutOfFuel, addFuel() and run() again continue
// exactly where it stopped; any other outcome ends the execution. While an
// execution is paused its instance refuses new calls (ReentrantCall);
// destroying the Execution drops the paused call and frees the instance.
// Not thread-safe except cancel() (or the CancelToken), which any thread may
// call at any time.
class Execution {
public:
  Execution(Execution &&) noexcept;
  Execution &operator=(Execution &&) noexcept;
  ~Execution();

  Outcome run();
  // True when the last run() stopped with an outcome run() can continue from.
  bool paused() const;
  // True once the execution ended (returned, trapped, cancelled, ...).
  bool finished() const;
  void addFuel(uint64_t units);
  // Fuel left (0 when unmetered).
  uint64_t fuelLeft() const;
  const RunStats &stats() const;
  void cancel();

  explicit Execution(std::unique_ptr<exec::Execution> impl);

private:
  std::unique_ptr<exec::Execution> impl_;
};

class Instance {
public:
  // Calls an exported function to its end. The Error is for misuse (no
  // such export, wrong arguments, ReentrantCall while an execution of this
  // instance is paused); what the guest did is in the Outcome. An OutOfFuel
  // outcome here ends the call (use start() to continue it instead).
  Result<Outcome> call(std::string_view export_name, std::span<const Value> args,
                       const CallOptions &options = {});
  Result<Outcome> call(const Extern &func, std::span<const Value> args,
                       const CallOptions &options = {});
  // Prepares a call without running it; Execution::run() runs it.
  Result<Execution> start(std::string_view export_name, std::span<const Value> args,
                          const CallOptions &options = {});
  Result<Execution> start(const Extern &func, std::span<const Value> args,
                          const CallOptions &options = {});

  // The limits calls use unless CallOptions replace them. Memory and table
  // caps were applied when the instance was made; changing them here only
  // affects later grows.
  const Limits &limits() const;
  void setLimits(const Limits &limits);

  Result<Extern> getExport(std::string_view name) const;
  Result<Value> getGlobal(std::string_view export_name) const;
  const Module &module() const { return *module_; }

  // Shares ownership of the instance's lifetime group, not of the instance alone.
  std::shared_ptr<rt::Instance> impl_;
  std::shared_ptr<const Module> module_;

private:
  Result<const rt::Function *> resolveCall(std::string_view export_name, const Extern *func,
                                           std::span<const Value> args) const;
  Result<Outcome> runCall(const rt::Function &fn, std::span<const Value> args,
                          const CallOptions &options);
  Result<Execution> startCall(const rt::Function &fn, std::span<const Value> args,
                              const CallOptions &options);
};

// Resolves imports by (module, name) and instantiates modules.
class Linker {
public:
  void define(std::string module, std::string name, Extern value);
  void defineFunc(std::string module, std::string name, FuncType type, HostFunction fn);
  // Defines every export of `instance` under `module`.
  void defineInstance(const std::string &module, const Instance &instance);

  // Resolves imports, allocates and initialises the instance, runs the start
  // function. A trap during instantiation is ErrorCode::InstantiationTrap;
  // segments written before the trap stay written (WebAssembly 2.0).
  Result<std::shared_ptr<Instance>> instantiate(std::shared_ptr<const Module> module,
                                                const Limits &limits = {}) const;

private:
  std::map<std::pair<std::string, std::string>, Extern> defs_;
};

} // namespace halter
