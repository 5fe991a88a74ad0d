// DAGwood's eight built-in ("local") text processors, reproduced byte for
// byte: the same Unicode case mappings, word splitting, counts, metadata keys
// and error messages as the Rust originals, so a DAGwood configuration that
// uses them gives the same results under halter.
#pragma once

#include "halter/pipeline.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace halter::pipeline {

// Metadata and Intent are the public ones (halter/pipeline.h).

// prefix_suffix_adder's settings; DAGwood's factory always fills both in.
struct LocalOptions {
  std::string prefix = "[";
  std::string suffix = "]";
};

struct ProcessorResult {
  bool ok = false;
  std::string payload; // the output bytes (empty for analyzers)
  int error_code = 0;  // DAGwood's code on failure (400 for bad UTF-8)
  std::string error;   // message on failure
  Metadata metadata;   // empty for transforms
};

// The eight names, in a fixed order (for error messages listing them).
const std::vector<std::string_view> &localProcessorNames();

bool isLocalProcessor(std::string_view name);

// Fixed in code, as in DAGwood; Transform for unknown names.
Intent localIntent(std::string_view name);

// UTF-8 of code points (the processors' encoder; tests build inputs with it).
std::string encodeUtf8(std::u32string_view text);

// Runs a processor named by isLocalProcessor() on `input` (arbitrary bytes).
// Never throws. An unknown name gives a failed result with DAGwood's factory
// message and error_code 0 (DAGwood rejects it before running anything).
ProcessorResult runLocal(std::string_view name, std::string_view input,
                         const LocalOptions &options);

} // namespace halter::pipeline
