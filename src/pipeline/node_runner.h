// One attempt of one node: a local processor, a `dagwood`-ABI module on a
// pooled instance, or a WASI command fed on stdin.
#pragma once

#include "halter/halter.h"
#include "halter/pipeline.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace halter::pipeline {

struct Attempt {
  NodeOutcome outcome = NodeOutcome::Failed;
  std::string output;
  std::string message;
  Metadata metadata;
  uint64_t fuel_used = 0;
  uint64_t peak_memory_bytes = 0;
};

class NodeRunner {
public:
  virtual ~NodeRunner() = default;
  // Runs once under `limits` (a deadline, not a timeout); `cancel` stops it
  // from another thread. Thread-safe: concurrent runs of one pipeline may
  // call the same runner.
  virtual Attempt run(std::string_view input, const Limits &limits, const CancelToken &cancel) = 0;
};

// The module files of one pipeline, each read and compiled once however
// many nodes use it: the nodes share the compiled code (each keeps its own
// pool and limits). Lives while the pipeline is built.
class ModuleCache {
public:
  ModuleCache();
  ~ModuleCache();
  struct File; // node_runner.cpp
  File &file(const std::string &path);

private:
  std::map<std::string, std::unique_ptr<File>> files_;
};

// The runner of `node` (a valid manifest's); errors name the node: an
// unknown local processor, an unreadable or invalid module, a hash
// mismatch, a WIT component, missing exports.
Result<std::unique_ptr<NodeRunner>> makeRunner(const NodeSpec &node, ModuleCache &modules);

} // namespace halter::pipeline
