// Pipelines: DAGs of processors (DAGwood's built-in text processors and
// sandboxed WebAssembly modules) from a YAML manifest, run by one of three
// schedulers with per-node limits, and a report (README "Pipelines";
// DESIGN §8). A DAGwood configuration is a valid manifest.
#pragma once

#include "halter/limits.h"
#include "halter/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace halter::pipeline {

// name -> {key -> value}: a processor's metadata, keyed as DAGwood keys it
// (a local analyzer by its processor name, a wasm node by its id).
using Metadata = std::map<std::string, std::map<std::string, std::string>>;

enum class Strategy : uint8_t { WorkQueue, Level, Reactive };
enum class FailureStrategy : uint8_t { FailFast, ContinueOnError, BestEffort };
enum class Intent : uint8_t { Transform, Analyze };
enum class NodeKind : uint8_t { Local, Wasm };
// How a wasm node's module is called: DAGwood's C-style exports, or a WASI
// command fed on stdin. Auto picks from the exports.
enum class Abi : uint8_t { Auto, Dagwood, WasiCommand };

const char *strategyName(Strategy s);               // "work_queue", ...
const char *failureStrategyName(FailureStrategy f); // "fail_fast", ...
const char *abiName(Abi a);                         // "auto", "dagwood", "wasi-command"

// Where a key sits in the manifest, for messages.
struct Place {
  int line = 0; // 1-based; 0 when unknown
  int column = 0;
};

struct NodeSpec {
  std::string id;
  NodeKind kind = NodeKind::Local;
  std::string processor;     // local: the processor's name
  std::string module;        // wasm: the path as written
  std::string module_path;   // wasm: the path halter opens (resolved)
  std::string module_sha256; // wasm: the expected content hash, lower-case hex, or empty
  std::vector<std::string> depends_on;
  Intent intent = Intent::Transform;
  std::string prefix = "[", suffix = "]"; // prefix_suffix_adder
  Abi abi = Abi::Auto;
  // Limits of one attempt. Wasm nodes get `fuel` (DAGwood's fuel_level,
  // clamped) unless fuel is switched off.
  std::optional<uint64_t> fuel;
  std::optional<std::chrono::nanoseconds> timeout;
  uint64_t max_memory_bytes = 0;
  unsigned retries = 0;                         // attempts after the first failed one
  std::chrono::nanoseconds backoff{10'000'000}; // before the first retry; doubles
  Place place;
  // What DAGwood's runtime build would refuse here (an unimplemented
  // backend, a missing `processor` or `module`, a bad intent or
  // fuel_level). Manifest::parse accepts the node so that graph errors come
  // first, as in DAGwood; Pipeline::create fails with this message, the
  // first such node in manifest order.
  std::string build_error;
};

struct FuelPolicy {
  uint64_t default_fuel = 100'000'000;
  uint64_t minimum = 1'000'000;
  uint64_t maximum = 500'000'000;
};

struct ManifestOptions {
  // DAGwood resolves a relative `module` against the working directory;
  // true resolves it against the manifest's directory instead, and a
  // module_dir against that directory (it wins over both).
  bool modules_relative_to_manifest = false;
  std::string module_dir;
};

// Bounds on what a manifest may hold (errors name them).
inline constexpr size_t kMaxManifestBytes = size_t(4) << 20;
inline constexpr size_t kMaxProcessors = 10000;

struct Manifest {
  std::string path; // as given (the initial_context's config_file)
  Strategy strategy = Strategy::WorkQueue;
  std::string strategy_spelling; // as written ("hybrid" runs work_queue)
  FailureStrategy failure = FailureStrategy::FailFast;
  unsigned max_concurrency = 0; // 0: the machine's cores
  FuelPolicy fuel;
  std::vector<NodeSpec> nodes; // in manifest order
  // Unknown keys and other things that do nothing, each with its place.
  std::vector<std::string> warnings;

  // Parses and validates. Errors (ErrorCode::InvalidManifest) name the key,
  // the node and the line; graph errors use DAGwood's messages, all of them
  // after "Configuration validation failed:".
  static Result<Manifest> parse(std::string_view yaml, std::string path,
                                const ManifestOptions &options = {});
  static Result<Manifest> load(const std::string &path, const ManifestOptions &options = {});
};

// The DAG's shape, from a valid manifest.
struct GraphInfo {
  std::vector<size_t> entry_points; // nodes without dependencies, manifest order
  std::vector<size_t> order;        // DAGwood's print order (its last node's output is final)
  std::vector<std::vector<size_t>> levels;     // longest-path depth
  std::vector<std::vector<size_t>> dependents; // per node, manifest order
};
GraphInfo describeGraph(const Manifest &m);
// Graphviz DOT of the DAG.
std::string graphToDot(const Manifest &m);

enum class NodeOutcome : uint8_t {
  Returned, // success
  Failed,   // the processor reported an error (bad input, a null pointer, ...)
  Trapped,
  OutOfFuel,
  Deadline,
  Cancelled,
  Skipped, // not run: a dependency failed, or the run stopped
};
const char *nodeOutcomeName(NodeOutcome o); // "returned", ...

struct NodeReport {
  std::string id;
  NodeOutcome outcome = NodeOutcome::Skipped;
  std::string message; // why it failed or was skipped
  std::string output;  // the payload it produced (empty for analyzers)
  Metadata metadata;
  unsigned attempts = 0;
  std::chrono::nanoseconds wall{0};
  uint64_t fuel_used = 0;
  uint64_t peak_memory_bytes = 0;
};

struct RunReport {
  bool succeeded = false;   // under the manifest's failure strategy
  std::string final_output; // the last node in print order
  bool has_final_output = false;
  Metadata metadata;             // initial_context, then every success's, in print order
  std::vector<NodeReport> nodes; // manifest order
  std::chrono::nanoseconds wall{0};
  std::string strategy;

  std::string toJson() const;
  std::string summary() const; // for people
};

// Stops a run, or one node of it, from any thread. One control serves one
// run at a time; nodes not started when their cancel comes are skipped.
class RunControl {
public:
  RunControl();
  ~RunControl();
  void cancel();                          // the whole run
  void cancelNode(const std::string &id); // one node (its dependents are skipped)
  bool cancelled() const;

  struct State;

private:
  friend class Pipeline;
  std::unique_ptr<State> state_;
};

// A node started, or finished (ran, or was skipped without starting).
// Every node finishes exactly once per run.
struct NodeEvent {
  enum class Kind : uint8_t { Started, Finished };
  Kind kind = Kind::Started;
  size_t node = 0;                    // index in Manifest::nodes
  const NodeReport *report = nullptr; // Finished: the node's report (valid during the call)
};

struct RunOptions {
  std::optional<Strategy> strategy;    // overrides the manifest's
  unsigned max_concurrency = 0;        // overrides the manifest's when not 0
  std::optional<std::string> hostname; // initial_context.hostname; default $HOSTNAME or "unknown"
  RunControl *control = nullptr;       // optional
  // For progress views: called from the run's threads, one call at a time,
  // with the scheduler's lock held, so it must be quick and must not call
  // Pipeline::run (RunControl may be used).
  std::function<void(const NodeEvent &)> on_event;
};

// Modules compiled and pools made once; run() any number of times, from
// any thread (runs are independent).
class Pipeline {
public:
  static Result<std::unique_ptr<Pipeline>> create(Manifest manifest);
  ~Pipeline();
  Pipeline(const Pipeline &) = delete;
  Pipeline &operator=(const Pipeline &) = delete;

  // Runs the DAG on `input` (bytes; DAGwood's processors expect UTF-8).
  RunReport run(std::string_view input, const RunOptions &options = {});
  const Manifest &manifest() const;

  struct State;

private:
  explicit Pipeline(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

} // namespace halter::pipeline
