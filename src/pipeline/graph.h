// The DAG of a manifest: DAGwood's validation (duplicate ids, unknown
// dependencies, cycles, with its messages) and its orders.
#pragma once

#include "halter/pipeline.h"

#include <string>
#include <vector>

namespace halter::pipeline {

// Every error DAGwood's validation reports, in its order: duplicates and
// unknown dependencies, then (only if there are none) the first cycle.
std::vector<std::string> validateGraph(const Manifest &m);

// Per node, the indices of its distinct dependencies (manifest order of
// depends_on, repeats dropped).
std::vector<std::vector<size_t>> dependencyIndices(const Manifest &m);

} // namespace halter::pipeline
