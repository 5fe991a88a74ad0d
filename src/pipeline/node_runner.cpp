#include "pipeline/node_runner.h"

#include "halter/pool.h"
#include "halter/wasi.h"
#include "pipeline/local_processors.h"

#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace halter::pipeline {

namespace {

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

// DAGwood's C-style call sequence (dagwood-compat §4.2) on a pooled
// instance. One fuel budget and one deadline cover allocate, process and
// deallocate together.
class DagwoodRunner final : public NodeRunner {
public:
  DagwoodRunner(NodeSpec node, std::unique_ptr<InstancePool> pool)
      : node_(std::move(node)), pool_(std::move(pool)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    Attempt a;
    auto lease = pool_->lease();
    if (!lease) {
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
    a.metadata =
        wasmMetadata(node_, "C-Style", "[\"c-style\", \"sandboxed\", \"no-system-access\"]",
                     input.size(), out.size());
    a.output = std::move(out);
    return a;
  }

private:
  NodeSpec node_;
  std::unique_ptr<InstancePool> pool_;
};

// A `dagwood`-ABI module that imports WASI: a capability-less WASI (no
// preopens, stdio discarded) made for each call, so no state is shared
// between concurrent runs.
class DagwoodWasiRunner final : public NodeRunner {
public:
  DagwoodWasiRunner(NodeSpec node, std::shared_ptr<const Module> module)
      : node_(std::move(node)), module_(std::move(module)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    WasiConfig config;
    config.args = {node_.id};
    config.stdout_stream = WasiStdio::null();
    config.stderr_stream = WasiStdio::null();
    auto context = WasiContext::create(config);
    Attempt a;
    if (!context) {
      a.message = "WASM execution failed: Runtime error: " + context.error().describe();
      return a;
    }
    Linker linker;
    addWasiToLinker(linker, *context);
    PoolOptions options;
    options.max_warm = 0;
    auto pool = InstancePool::create(module_, linker, options);
    if (!pool) {
      a.message = "WASM execution failed: Runtime error: " + pool.error().describe();
      return a;
    }
    return DagwoodRunner(node_, std::move(*pool)).run(input, limits, cancel);
  }

private:
  NodeSpec node_;
  std::shared_ptr<const Module> module_;
};

// A WASI command: the payload on stdin, the output from stdout, exit code 0
// (or a plain return from _start) is success; stderr goes into the message.
class WasiCommandRunner final : public NodeRunner {
public:
  WasiCommandRunner(NodeSpec node, std::shared_ptr<const Module> module)
      : node_(std::move(node)), module_(std::move(module)) {}

  Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) override {
    Attempt a;
    WasiConfig config;
    config.args = {node_.id};
    config.stdin_stream = WasiStdio::buffer(std::string(input));
    auto context = WasiContext::create(config);
    if (!context) {
      a.message = "WASI setup failed: " + context.error().describe();
      return a;
    }
    Linker linker;
    addWasiToLinker(linker, *context);
    auto inst = linker.instantiate(module_, limits, cancel);
    if (!inst) {
      a.message = "instantiation failed: " + inst.error().describe();
      return a;
    }
    CallOptions options;
    options.limits = limits;
    options.cancel = cancel;
    auto r = (*inst)->call("_start", {}, options);
    if (!r) {
      a.message = "call failed: " + r.error().describe();
      return a;
    }
    a.fuel_used = r->stats.fuel_used;
    a.peak_memory_bytes = r->stats.peak_memory_bytes;
    const std::string &err = (*context)->capturedStderr();
    bool success = r->returned() || (r->kind == OutcomeKind::Exited && r->exit_code == 0);
    if (!success) {
      a.outcome = r->kind == OutcomeKind::Exited ? NodeOutcome::Failed : outcomeOf(*r);
      a.message = describeStop(*r) + (err.empty() ? "" : "; stderr: " + err);
      return a;
    }
    a.outcome = NodeOutcome::Returned;
    a.output = (*context)->capturedStdout();
    a.metadata =
        wasmMetadata(node_, "WASI-Command", "[\"wasi-command\", \"sandboxed\", \"no-preopens\"]",
                     input.size(), a.output.size());
    if (!err.empty()) a.metadata[node_.id]["stderr"] = err;
    return a;
  }

private:
  NodeSpec node_;
  std::shared_ptr<const Module> module_;
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

Result<std::unique_ptr<NodeRunner>> makeRunner(const NodeSpec &node) {
  if (node.kind == NodeKind::Local) {
    if (!isLocalProcessor(node.processor))
      return nodeError(node, "Unknown local processor implementation: '" + node.processor + "'");
    return std::unique_ptr<NodeRunner>(
        new LocalRunner(node.processor, LocalOptions{node.prefix, node.suffix}));
  }
  std::ifstream in(node.module_path, std::ios::binary);
  if (!in) return nodeError(node, "cannot read module " + node.module_path);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  if (!node.module_sha256.empty()) {
    std::string got = sha256Hex(bytes);
    if (got != node.module_sha256)
      return nodeError(node, "module " + node.module_path + " has sha256 " + got +
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
  auto module = Module::compile(bytes);
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
  if (abi == Abi::WasiCommand) {
    if (!exportsFunc(**module, "_start"))
      return nodeError(node, "abi wasi-command: module " + node.module_path + " exports no _start");
    return std::unique_ptr<NodeRunner>(new WasiCommandRunner(node, *module));
  }
  HALTER_TRY(checkDagwoodExports(node, **module));
  if (importsWasi(**module))
    return std::unique_ptr<NodeRunner>(new DagwoodWasiRunner(node, *module));
  PoolOptions options;
  options.max_warm = 8;
  auto pool = InstancePool::create(*module, Linker(), options);
  if (!pool) return nodeError(node, pool.error().describe());
  return std::unique_ptr<NodeRunner>(new DagwoodRunner(node, std::move(*pool)));
}

} // namespace halter::pipeline
