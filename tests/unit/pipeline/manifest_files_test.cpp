// The manifests in tests/pipeline/ (the shapes DAGwood's configurations
// use): exact final outputs, per-node outcomes and outputs, and metadata,
// identical under every strategy and max_concurrency 1, 2 and 8, 20 times
// each.
#include "halter/pipeline.h"

#include <gtest/gtest.h>

namespace halter::pipeline {
namespace {

constexpr const char *kInput = "Hello hello World";

struct Expected {
  const char *file;
  bool succeeded;
  const char *final_output;
  std::map<std::string, std::pair<NodeOutcome, std::string>> nodes; // id -> outcome, output
  Metadata extra_metadata;                                          // beside initial_context
};

std::vector<Expected> expectations() {
  using O = NodeOutcome;
  return {
      {"linear.yaml",
       true,
       ">> DLROW OLLEH OLLEH <<",
       {{"upper", {O::Returned, "HELLO HELLO WORLD"}},
        {"reverse", {O::Returned, "DLROW OLLEH OLLEH"}},
        {"wrap", {O::Returned, ">> DLROW OLLEH OLLEH <<"}}},
       {}},
      {"diamond_analyzers.yaml",
       true,
       "Hello Hello World",
       {{"lower", {O::Returned, "hello hello world"}},
        {"tokens", {O::Returned, ""}},
        {"words", {O::Returned, ""}},
        {"title", {O::Returned, "Hello Hello World"}}},
       {{"token_counter", {{"char_count", "17"}, {"word_count", "3"}, {"line_count", "1"}}},
        {"word_frequency_analyzer",
         {{"word_freq_hello", "2"}, {"word_freq_world", "1"}, {"total_unique_words", "2"}}}}},
      {"two_entries.yaml",
       true,
       "R(dlrow Olleh Olleh)",
       {{"left_wrap", {O::Returned, "L(HELLO HELLO WORLD)"}},
        {"right_wrap", {O::Returned, "R(dlroW olleh olleH)"}},
        {"join", {O::Returned, "R(dlrow Olleh Olleh)"}}},
       {}},
      {"fanout_failing.yaml",
       false,
       "1H1E2L1O1 1H1E2L1O1 1W1O1R1L1D2:1W1A1S1M",
       {{"trap", {O::Trapped, ""}},
        {"after_trap", {O::Skipped, ""}},
        {"append", {O::Returned, "HELLO HELLO WORLD::WASM"}},
        {"rle", {O::Returned, "1H1E2L1O1 1H1E2L1O1 1W1O1R1L1D2:1W1A1S1M"}}},
       {}},
      {"wasm_fuel.yaml",
       true,
       "Hello hello World::WASM::WASI",
       {{"append", {O::Returned, "Hello hello World::WASM"}},
        {"spin", {O::OutOfFuel, ""}},
        {"wasi", {O::Returned, "Hello hello World::WASM::WASI"}}},
       {}},
      {"empty_options.yaml",
       true,
       "[Hello Hello World]",
       {{"first", {O::Returned, "Hello Hello World"}},
        {"second", {O::Returned, "[Hello Hello World]"}}},
       {}},
  };
}

TEST(ManifestFiles, ExactResultsUnderEveryStrategyAndConcurrency) {
  for (const Expected &e : expectations()) {
    SCOPED_TRACE(e.file);
    ManifestOptions mo;
    mo.module_dir = HALTER_TEST_GUEST_DIR;
    auto m = Manifest::load(std::string(HALTER_SOURCE_DIR) + "/tests/pipeline/" + e.file, mo);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_TRUE(m->warnings.empty()) << m->warnings.front();
    auto p = Pipeline::create(*m);
    ASSERT_TRUE(p.ok()) << p.error().message;
    for (Strategy s : {Strategy::WorkQueue, Strategy::Level, Strategy::Reactive})
      for (unsigned c : {1u, 2u, 8u})
        for (int rep = 0; rep < 20; ++rep) {
          RunOptions o;
          o.strategy = s;
          o.max_concurrency = c;
          o.hostname = "h";
          RunReport r = (*p)->run(kInput, o);
          const std::string where = std::string(strategyName(s)) + " x" + std::to_string(c);
          ASSERT_EQ(r.succeeded, e.succeeded) << where << "\n" << r.summary();
          ASSERT_TRUE(r.has_final_output) << where;
          ASSERT_EQ(r.final_output, e.final_output) << where;
          for (const NodeReport &n : r.nodes) {
            auto it = e.nodes.find(n.id);
            if (it == e.nodes.end()) continue;
            ASSERT_EQ(n.outcome, it->second.first) << where << " " << n.id << ": " << n.message;
            if (n.outcome == NodeOutcome::Returned) {
              ASSERT_EQ(n.output, it->second.second) << n.id;
            }
          }
          Metadata want = e.extra_metadata;
          want["initial_context"] = {
              {"config_file", m->path}, {"hostname", "h"}, {"input_text", kInput}};
          for (const NodeReport &n : r.nodes) // wasm nodes add their own entry
            if (n.outcome == NodeOutcome::Returned && n.metadata.count(n.id))
              want[n.id] = n.metadata.at(n.id);
          ASSERT_EQ(r.metadata, want) << where;
        }
  }
}

} // namespace
} // namespace halter::pipeline
