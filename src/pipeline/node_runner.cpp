#include "pipeline/node_runner.h"

#include "halter/file_bytes.h"
#include "halter/pool.h"
#include "halter/wasi.h"
#include "pipeline/local_processors.h"

#include <openssl/evp.h>

#include <cstring>
#include <mutex>

namespace halter::pipeline {

namespace {

// Module files above this are refused (as the CLI's default --max-module-size).
constexpr uint64_t kMaxModuleBytes = uint64_t{1} << 30;

Error nodeError(const NodeSpec &node, std::string what) {
  return makeError(ErrorCode::InvalidManifest, kNoOffset,
                   "processor '" + node.id + "': " + std::move(what));
}

class LocalRunner final : public NodeRunner {
public:
  LocalRunner(std::string name, LocalOptions options)
      : name_(std::move(name)), options_(std::move(options)) {}

  Attempt run(std::string_view input, const Limits &, const CancelToken &) override {
    ProcessorResult r = runLocal(name_, input, options_);
    Attempt a;
    a.outcome = r.ok ? NodeOutcome::Returned : NodeOutcome::Failed;
    a.output = std::move(r.payload);
    a.message = r.ok ? "" : r.error;
    a.metadata = std::move(r.metadata);
    return a;
  }

private:
  std::string name_;
  LocalOptions options_;
};

// How a guest stopped, in the report's terms.
NodeOutcome outcomeOf(const Outcome &o) {
  switch (o.kind) {
  case OutcomeKind::Returned:
    return NodeOutcome::Returned;
  case OutcomeKind::OutOfFuel:
    return NodeOutcome::OutOfFuel;
  case OutcomeKind::DeadlineExceeded:
    return NodeOutcome::Deadline;
  case OutcomeKind::Cancelled:
    return NodeOutcome::Cancelled;
  case OutcomeKind::Trapped:
    return NodeOutcome::Trapped;
  case OutcomeKind::Suspended:
  case OutcomeKind::Exited:
    break;
  }
  return NodeOutcome::Failed;
}

// A failed lease: the pool could not make an instance, e.g. the start
// function was stopped by the node's limits or trapped.
NodeOutcome outcomeOfError(const Error &e) {
  switch (e.code) {
  case ErrorCode::DeadlineExceeded:
    return NodeOutcome::Deadline;
  case ErrorCode::Cancelled:
    return NodeOutcome::Cancelled;
  case ErrorCode::InstantiationTrap:
    return NodeOutcome::Trapped;
  default:
    return NodeOutcome::Failed;
  }
}

std::string describeStop(const Outcome &o) {
  if (o.trapped()) return o.trap.describe();
  if (o.kind == OutcomeKind::Exited) return "the guest exited with " + std::to_string(o.exit_code);
  return outcomeKindName(o.kind);
}

// The metadata DAGwood gives a wasm node (dagwood-compat §4.4).
Metadata wasmMetadata(const NodeSpec &node, const char *artifact, const char *capabilities,
                      size_t in, size_t out) {
  return {{node.id,
           {{"processor_id", node.id},
            {"module_path", node.module},
            {"artifact_type", artifact},
            {"capabilities", capabilities},
            {"input_length", std::to_string(in)},
            {"output_length", std::to_string(out)}}}};
}

// DAGwood's C-style call sequence (dagwood-compat §4.2) on an instance of
// `pool`. One fuel budget and one deadline cover allocate, process and
// deallocate together.
Attempt runDagwood(const NodeSpec &node, InstancePool &pool, std::string_view input,
                   const Limits &limits, const CancelToken &cancel) {
  Attempt a;
  auto lease = pool.lease();
  if (!lease) {
    a.outcome = outcomeOfError(lease.error());
    a.message = "WASM execution failed: Runtime error: " + lease.error().describe();
    return a;
  }
  Instance &inst = lease->instance();
  Limits left = limits;
  // A call that did not return ends the attempt: its outcome is the node's.
  std::optional<Attempt> stopped;
  auto call = [&](const char *name, std::vector<Value> args) -> std::optional<Value> {
    CallOptions options;
    options.limits = left;
    options.cancel = cancel;
    auto r = inst.call(name, args, options);
    if (!r) {
      Attempt s;
      s.message = std::string("WASM execution failed: Runtime error: ") + r.error().describe();
      stopped = std::move(s);
      return std::nullopt;
    }
    a.fuel_used += r->stats.fuel_used;
    a.peak_memory_bytes = std::max(a.peak_memory_bytes, r->stats.peak_memory_bytes);
    if (left.fuel) *left.fuel -= std::min(*left.fuel, r->stats.fuel_used);
    if (!r->returned()) {
      Attempt s;
      s.outcome = outcomeOf(*r);
      s.message = std::string("WASM execution failed: Runtime error: Failed to call ") + name +
                  " function: " + describeStop(*r);
      stopped = std::move(s);
      lease->discard(); // a guest stopped halfway holds half-done state
      return std::nullopt;
    }
    return r->results.empty() ? Value() : r->results[0];
  };
  auto fail = [&](std::string message) {
    a.outcome = NodeOutcome::Failed;
    a.message = "WASM execution failed: " + std::move(message);
    return a;
  };
  auto finish = [&]() {
    stopped->fuel_used = a.fuel_used;
    stopped->peak_memory_bytes = a.peak_memory_bytes;
    return *stopped;
  };
  const int32_t len = int32_t(input.size());
  auto in = call("allocate", {Value::i32(len)});
  if (!in) return finish();
  if (in->asI32() == 0) return fail("Runtime error: Failed to allocate input memory");
  auto mem = inst.getExport("memory");
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(input.data()), input.size());
  if (!mem || !mem->write(uint32_t(in->asI32()), bytes))
    return fail("Runtime error: Failed to write input to WASM memory");
  auto lp = call("allocate", {Value::i32(4)});
  if (!lp) return finish();
  if (lp->asI32() == 0) {
    (void)call("deallocate", {*in, Value::i32(len)});
    return fail("Runtime error: Failed to allocate output length memory");
  }
  auto r = call("process", {*in, Value::i32(len), *lp});
  if (!r) return finish();
  if (!call("deallocate", {*in, Value::i32(len)})) return finish();
  if (r->asI32() == 0) {
    (void)call("deallocate", {*lp, Value::i32(4)});
    return fail("Runtime error: WASM process function returned null pointer");
  }
  uint8_t lb[4];
  if (!mem->read(uint32_t(lp->asI32()), lb))
    return fail("Runtime error: Failed to read output length from WASM memory");
  int32_t out_len;
  std::memcpy(&out_len, lb, 4);
  if (!call("deallocate", {*lp, Value::i32(4)})) return finish();
  if (out_len < 0) return fail("Runtime error: Failed to read output from WASM memory");
  std::string out(size_t(out_len), '\0');
  if (out_len > 0 &&
      !mem->read(uint32_t(r->asI32()), {reinterpret_cast<uint8_t *>(out.data()), out.size()}))
    return fail("Runtime error: Failed to read output from WASM memory");
  if (!call("deallocate", {*r, Value::i32(out_len == 0 ? 1 : out_len)})) return finish();
  a.outcome = NodeOutcome::Returned;
  a.metadata = wasmMetadata(node, "C-Style", "[\"c-style\", \"sandboxed\", \"no-system-access\"]",
                            input.size(), out.size());
  a.output = std::move(out);
  return a;
}

class DagwoodRunner final : public NodeRunner {
public:
  DagwoodRunner(NodeSpec node, std::unique_ptr<InstancePool> pool)
      : node_(std::move(node)), pool_(std::move(pool)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    return runDagwood(node_, *pool_, input, limits, cancel);
  }

private:
  NodeSpec node_;
  std::unique_ptr<InstancePool> pool_;
};

// The WASI side of a node whose module imports WASI: slots, each a WASI
// context and a pool of the instances linked to it. A call takes a free
// slot (or makes one) and resets its context to the call's configuration;
// the slot's pool resets the instance. So every call runs on a pooled
// instance with a WASI as fresh as a new one, and concurrent calls use
// different slots.
class WasiSlots {
public:
  struct Slot {
    std::shared_ptr<WasiContext> context;
    std::unique_ptr<InstancePool> pool;
  };

  WasiSlots(std::shared_ptr<const Module> module, PoolOptions options)
      : module_(std::move(module)), options_(std::move(options)) {
    options_.max_warm = 1;
  }

  Result<std::unique_ptr<Slot>> take(const WasiConfig &config) {
    std::unique_ptr<Slot> slot;
    {
      std::lock_guard<std::mutex> g(lock_);
      if (!free_.empty()) {
        slot = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (slot) {
      HALTER_TRY(slot->context->reset(config));
      return slot;
    }
    HALTER_ASSIGN_OR_RETURN(std::shared_ptr<WasiContext> context, WasiContext::create(config));
    Linker linker;
    addWasiToLinker(linker, context);
    HALTER_ASSIGN_OR_RETURN(std::unique_ptr<InstancePool> pool,
                            InstancePool::create(module_, std::move(linker), options_));
    return std::make_unique<Slot>(Slot{std::move(context), std::move(pool)});
  }

  // After the call's lease has ended.
  void give(std::unique_ptr<Slot> slot) {
    std::lock_guard<std::mutex> g(lock_);
    if (free_.size() < kMaxFree) free_.push_back(std::move(slot));
  }

private:
  static constexpr size_t kMaxFree = 8;
  std::shared_ptr<const Module> module_;
  PoolOptions options_;
  std::mutex lock_;
  std::vector<std::unique_ptr<Slot>> free_;
};

// A `dagwood`-ABI module that imports WASI: a capability-less WASI (no
// preopens, stdio discarded).
class DagwoodWasiRunner final : public NodeRunner {
public:
  DagwoodWasiRunner(NodeSpec node, std::shared_ptr<const Module> module, PoolOptions options)
      : node_(std::move(node)), slots_(std::move(module), std::move(options)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    WasiConfig config;
    config.args = {node_.id};
    config.stdout_stream = WasiStdio::null();
    config.stderr_stream = WasiStdio::null();
    auto slot = slots_.take(config);
    if (!slot) {
      Attempt a;
      a.message = "WASM execution failed: Runtime error: " + slot.error().describe();
      return a;
    }
    Attempt a = runDagwood(node_, *(*slot)->pool, input, limits, cancel);
    slots_.give(std::move(*slot));
    return a;
  }

private:
  NodeSpec node_;
  WasiSlots slots_;
};

// A WASI command: the payload on stdin, the output from stdout, exit code 0
// (or a plain return from _start) is success; stderr goes into the message.
class WasiCommandRunner final : public NodeRunner {
public:
  WasiCommandRunner(NodeSpec node, std::shared_ptr<const Module> module, PoolOptions options)
      : node_(std::move(node)), slots_(std::move(module), std::move(options)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    WasiConfig config;
    config.args = {node_.id};
    config.stdin_stream = WasiStdio::buffer(std::string(input));
    auto slot = slots_.take(config);
    if (!slot) {
      Attempt a;
      a.message = "WASI setup failed: " + slot.error().describe();
      return a;
    }
    Attempt a = runCommand(**slot, input, limits, cancel);
    slots_.give(std::move(*slot));
    return a;
  }

private:
  Attempt runCommand(WasiSlots::Slot &slot, std::string_view input, const Limits &limits,
                     const CancelToken &cancel) {
    Attempt a;
    auto lease = slot.pool->lease();
    if (!lease) {
      a.outcome = outcomeOfError(lease.error());
      a.message = "instantiation failed: " + lease.error().describe();
      return a;
    }
    CallOptions options;
    options.limits = limits;
    options.cancel = cancel;
    auto r = lease->instance().call("_start", {}, options);
    if (!r) {
      a.message = "call failed: " + r.error().describe();
      return a;
    }
    a.fuel_used = r->stats.fuel_used;
    a.peak_memory_bytes = r->stats.peak_memory_bytes;
    const std::string &err = slot.context->capturedStderr();
    bool success = r->returned() || (r->kind == OutcomeKind::Exited && r->exit_code == 0);
    if (!success) {
      lease->discard(); // as in runDagwood: no half-done instance goes back
      a.outcome = r->kind == OutcomeKind::Exited ? NodeOutcome::Failed : outcomeOf(*r);
      a.message = describeStop(*r) + (err.empty() ? "" : "; stderr: " + err);
      return a;
    }
    a.outcome = NodeOutcome::Returned;
    a.output = slot.context->capturedStdout();
    a.metadata =
        wasmMetadata(node_, "WASI-Command", "[\"wasi-command\", \"sandboxed\", \"no-preopens\"]",
                     input.size(), a.output.size());
    if (!err.empty()) a.metadata[node_.id]["stderr"] = err;
    return a;
  }

  NodeSpec node_;
  WasiSlots slots_;
};

std::string sha256Hex(const std::vector<uint8_t> &bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) return {};
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool exportsFunc(const Module &m, const char *name) {
  return m.exportedFuncType(name) != nullptr;
}

bool importsWasi(const Module &m) {
  for (const ImportInfo &i : m.imports())
    if (i.module.rfind("wasi_", 0) == 0) return true;
  return false;
}

// DAGwood's checks, in its order, with its messages (§4.2).
Result<void> checkDagwoodExports(const NodeSpec &node, const Module &m) {
  auto fn = [&](const char *name, const FuncType &want) {
    const FuncType *t = m.exportedFuncType(name);
    return t && t->params == want.params && t->results == want.results;
  };
  bool memory = false;
  for (const ExportInfo &e : m.exports())
    if (e.name == "memory" && e.kind == ExternKind::Memory) memory = true;
  const ValType I = ValType::I32;
  if (!memory) return nodeError(node, "Validation error: WASM module must export 'memory'");
  if (!fn("process", FuncType{{I, I, I}, {I}}))
    return nodeError(node, "Validation error: WASM module must export 'process' function with "
                           "signature (i32, i32, i32) -> i32");
  if (!fn("allocate", FuncType{{I}, {I}}))
    return nodeError(node, "Validation error: WASM module must export 'allocate' function with "
                           "signature (i32) -> i32");
  if (!fn("deallocate", FuncType{{I, I}, {}}))
    return nodeError(node, "Validation error: WASM module must export 'deallocate' function "
                           "with signature (i32, i32) -> ()");
  return okResult();
}

} // namespace

struct ModuleCache::File {
  Result<std::vector<uint8_t>> bytes = std::vector<uint8_t>();
  std::string sha256; // computed when a node asks for it
  std::optional<Result<std::shared_ptr<const Module>>> module;
};

ModuleCache::ModuleCache() = default;
ModuleCache::~ModuleCache() = default;

ModuleCache::File &ModuleCache::file(const std::string &path) {
  std::unique_ptr<File> &f = files_[path];
  if (!f) {
    f = std::make_unique<File>();
    f->bytes = readFileBytes(path, kMaxModuleBytes);
  }
  return *f;
}

Result<std::unique_ptr<NodeRunner>> makeRunner(const NodeSpec &node, ModuleCache &modules) {
  if (!node.build_error.empty())
    return makeError(ErrorCode::InvalidManifest, kNoOffset, node.build_error);
  if (node.kind == NodeKind::Local) {
    if (!isLocalProcessor(node.processor))
      return nodeError(node, "Unknown local processor implementation: '" + node.processor + "'");
    return std::unique_ptr<NodeRunner>(
        new LocalRunner(node.processor, LocalOptions{node.prefix, node.suffix}));
  }
  ModuleCache::File &file = modules.file(node.module_path);
  if (!file.bytes) return nodeError(node, "cannot read module " + file.bytes.error().message);
  const std::vector<uint8_t> &bytes = *file.bytes;
  if (!node.module_sha256.empty()) {
    if (file.sha256.empty()) file.sha256 = sha256Hex(bytes);
    if (file.sha256 != node.module_sha256)
      return nodeError(node, "module " + node.module_path + " has sha256 " + file.sha256 +
                                 ", the manifest expects " + node.module_sha256);
  }
  // A component's preamble: the magic, then version 0x0d and layer 1.
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), "\0asm", 4) == 0 && bytes[4] == 0x0d &&
      bytes[6] == 0x01) {
    return nodeError(node, "module " + node.module_path +
                               " is a WebAssembly component (WIT); components are not "
                               "supported yet: build a core module with DAGwood's C-style "
                               "exports, or a WASI command");
  }
  if (!file.module) file.module = Module::compile(bytes);
  const Result<std::shared_ptr<const Module>> &module = *file.module;
  if (!module)
    return nodeError(node, "module " + node.module_path + ": " + module.error().describe());
  Abi abi = node.abi;
  if (abi == Abi::Auto) {
    if (exportsFunc(**module, "process") && exportsFunc(**module, "allocate"))
      abi = Abi::Dagwood;
    else if (exportsFunc(**module, "_start"))
      abi = Abi::WasiCommand;
    else
      return nodeError(node, "module " + node.module_path +
                                 " exports neither DAGwood's allocate/deallocate/process nor "
                                 "a WASI _start; say `abi:` to choose");
  }
  // A start function runs when a pool makes an instance: the node's own
  // limits bound it as well.
  PoolOptions options;
  options.max_warm = 8;
  options.limits.fuel = node.fuel;
  options.limits.timeout = node.timeout;
  options.limits.max_memory_bytes = node.max_memory_bytes;
  if (abi == Abi::WasiCommand) {
    if (!exportsFunc(**module, "_start"))
      return nodeError(node, "abi wasi-command: module " + node.module_path + " exports no _start");
    return std::unique_ptr<NodeRunner>(new WasiCommandRunner(node, *module, options));
  }
  HALTER_TRY(checkDagwoodExports(node, **module));
  if (importsWasi(**module))
    return std::unique_ptr<NodeRunner>(new DagwoodWasiRunner(node, *module, options));
  auto pool = InstancePool::create(*module, Linker(), options);
  if (!pool) return nodeError(node, pool.error().describe());
  return std::unique_ptr<NodeRunner>(new DagwoodRunner(node, std::move(*pool)));
}

} // namespace halter::pipeline
