// The public C++ API of halter: compile a module, link its imports,
// instantiate it and call its exports.
#pragma once

#include "halter/outcome.h"
#include "halter/result.h"
#include "halter/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  explicit CallContext(rt::Instance *caller) : caller_(caller) {}
  // The calling instance's memory 0 (empty span when it has none). Valid only
  // during the call; bounds are the caller's business.
  std::span<uint8_t> memory() const;

private:
  rt::Instance *caller_;
};

// What a host function answers.
class HostResult {
public:
  static HostResult ok() { return HostResult(); }
  static HostResult trap(std::string message) {
    HostResult r;
    r.trapped_ = true;
    r.message_ = std::move(message);
    return r;
  }
  bool trapped() const { return trapped_; }
  const std::string &message() const { return message_; }

private:
  bool trapped_ = false;
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

struct InstanceConfig {
  // Maximum depth of guest calls before Trapped(StackExhausted).
  uint32_t max_call_depth = 10000;
  // Bytes for the explicit value stack of one call.
  uint64_t max_stack_bytes = 8u << 20;
  // Cap on each defined linear memory, in bytes (0 = only the type's maximum).
  uint64_t max_memory_bytes = 0;
  // Cap on each defined table, in elements (0 = the implementation limit, 10,000,000).
  uint64_t max_table_elements = 0;
};

class Instance {
public:
  // Calls an exported function. The Error is for misuse (no such export,
  // wrong arguments); what the guest did is in the Outcome.
  Result<Outcome> call(std::string_view export_name, std::span<const Value> args);
  Result<Outcome> call(const Extern &func, std::span<const Value> args);

  Result<Extern> getExport(std::string_view name) const;
  Result<Value> getGlobal(std::string_view export_name) const;
  const Module &module() const { return *module_; }

  // Shares ownership of the instance's lifetime group, not of the instance alone.
  std::shared_ptr<rt::Instance> impl_;
  std::shared_ptr<const Module> module_;
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
                                                const InstanceConfig &config = {}) const;

private:
  std::map<std::pair<std::string, std::string>, Extern> defs_;
};

} // namespace halter
