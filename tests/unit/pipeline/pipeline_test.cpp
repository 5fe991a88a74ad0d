// Pipelines (include/halter/pipeline.h): manifest errors with their
// messages, DAGwood's data flow made deterministic, the three strategies
// giving identical results on fixed and generated DAGs, failure strategies,
// wasm nodes under their own limits, and cancellation.
#include "halter/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

namespace halter::pipeline {
namespace {

std::string guest(const std::string &name) {
  return std::string(HALTER_TEST_GUEST_DIR) + "/" + name + ".wasm";
}

Manifest parseOk(const std::string &yaml) {
  auto m = Manifest::parse(yaml, "test.yaml");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message) << "\n" << yaml;
  return m.ok() ? *m : Manifest{};
}

std::string parseError(const std::string &yaml) {
  auto m = Manifest::parse(yaml, "test.yaml");
  EXPECT_FALSE(m.ok()) << yaml;
  if (m.ok()) return "";
  EXPECT_EQ(m.error().code, ErrorCode::InvalidManifest);
  return m.error().message;
}

// A manifest that parses (its graph is valid) but whose processors DAGwood
// could not build: Pipeline::create's message.
std::string buildError(const std::string &yaml) {
  auto m = Manifest::parse(yaml, "test.yaml");
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message) << "\n" << yaml;
  if (!m.ok()) return "";
  auto p = Pipeline::create(*m);
  EXPECT_FALSE(p.ok()) << yaml;
  if (p.ok()) return "";
  EXPECT_EQ(p.error().code, ErrorCode::InvalidManifest);
  return p.error().message;
}

RunReport runYaml(const std::string &yaml, std::string_view input, RunOptions options = {}) {
  auto p = Pipeline::create(parseOk(yaml));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  if (!p.ok()) return {};
  options.hostname = "test-host";
  return (*p)->run(input, options);
}

const NodeReport &node(const RunReport &r, const std::string &id) {
  for (const NodeReport &n : r.nodes)
    if (n.id == id) return n;
  static NodeReport none;
  ADD_FAILURE() << "no node " << id;
  return none;
}

TEST(Manifest, DagwoodValidationMessages) {
  EXPECT_EQ(parseError("strategy: level\nprocessors:\n"
                       "  - {id: a, type: local, processor: reverse_text}\n"
                       "  - {id: a, type: local, processor: reverse_text}\n"
                       "  - {id: b, type: local, processor: reverse_text, depends_on: [zz]}\n"),
            "Configuration validation failed:\nDuplicate processor ID: 'a'\n"
            "Processor 'b' depends on 'zz' which does not exist");
  EXPECT_EQ(parseError("strategy: level\nprocessors:\n"
                       "  - {id: a, type: local, processor: reverse_text, depends_on: [c]}\n"
                       "  - {id: b, type: local, processor: reverse_text, depends_on: [a]}\n"
                       "  - {id: c, type: local, processor: reverse_text, depends_on: [b]}\n"),
            "Configuration validation failed:\nCyclic dependency detected: a -> b -> c -> a");
  EXPECT_EQ(parseError("strategy: level\nprocessors:\n"
                       "  - {id: s, type: local, processor: reverse_text, depends_on: [s]}\n"),
            "Configuration validation failed:\nCyclic dependency detected: s -> s");
}

TEST(Manifest, KeyErrorsNameTheKeyAndTheLine) {
  EXPECT_EQ(parseError("processors: []\n"), "missing field `strategy`");
  EXPECT_EQ(parseError("strategy: level_by_level\nprocessors: []\n"),
            "strategy: unknown variant `level_by_level`, expected one of `work_queue`, `level`, "
            "`reactive`, `hybrid` at line 1 column 11");
  EXPECT_EQ(parseError("strategy: level\nexecutor_options:\n  max_concurrency: \"4\"\n"
                       "processors: []\n"),
            "executor_options.max_concurrency: invalid type: string \"4\", expected an unsigned "
            "integer at line 3 column 20");
  EXPECT_EQ(
      parseError("strategy: level\nexecutor_options: {max_concurrency: -1}\nprocessors: []\n"),
      "executor_options.max_concurrency: invalid type: -1, expected an unsigned integer at "
      "line 2 column 37");
  EXPECT_EQ(parseError("strategy: level\n"), "missing field `processors`");
  // Found by fuzz_manifest: yaml-cpp throws on a key looked up in a scalar.
  EXPECT_EQ(parseError("strategy: level\nwasm: big\nprocessors: []\n"),
            "wasm: invalid type: string \"big\", expected a map at line 2 column 7");
  EXPECT_EQ(parseError("strategy: level\nwasm:\n  fuel: 3\nprocessors: []\n"),
            "wasm.fuel: invalid type: 3, expected a map at line 3 column 9");
  EXPECT_EQ(parseError("strategy: level\nprocessors:\n  - {type: local}\n"),
            "processors[0]: missing field `id` at line 3 column 5");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n  - {id: x, type: local}\n"),
            "Local processor 'x' missing 'processor' field at line 3 column 5");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n  - {id: x, type: grpc}\n"),
            "Backend type 'Grpc' is not implemented for processor 'x'. gRPC client is not yet "
            "supported. at line 3 column 19");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n  - {id: w, type: wasm}\n"),
            "Invalid input: Missing required 'module' field in WASM processor configuration "
            "(processor 'w') at line 3 column 5");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n"
                       "  - {id: w, type: wasm, module: m.wasm, options: {intent: Summarize}}\n"),
            "processor 'w': Invalid intent 'summarize'. Must be 'transform' or 'analyze'. at "
            "line 3 column 59");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n"
                       "  - {id: w, type: wasm, module: m.wasm, options: {intent: 3}}\n"),
            "processor 'w': Intent option must be a string at line 3 column 59");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n"
                       "  - {id: w, type: wasm, module: m.wasm, options: {fuel_level: -5}}\n"),
            "processor 'w': fuel_level cannot be negative at line 3 column 63");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n"
                       "  - {id: w, type: wasm, module: m.wasm, options: {fuel_level: 1.5}}\n"),
            "processor 'w': fuel_level must be a number at line 3 column 63");
  // DAGwood validates the graph before it builds processors, and builds
  // them in manifest order.
  EXPECT_EQ(parseError("strategy: level\nprocessors:\n  - {id: x, type: local}\n"
                       "  - {id: y, type: local, processor: reverse_text, depends_on: [zz]}\n"),
            "Configuration validation failed:\nProcessor 'y' depends on 'zz' which does not exist");
  EXPECT_EQ(buildError("strategy: level\nprocessors:\n"
                       "  - {id: a, type: local, processor: CaseChanger}\n"
                       "  - {id: g, type: grpc, endpoint: x}\n"),
            "processor 'a': Unknown local processor implementation: 'CaseChanger'");
  // serde reads the keys in document order; a missing key comes last.
  EXPECT_EQ(parseError("processors:\n  - {id: a}\n"),
            "processors[0] ('a'): missing field `type` at line 2 column 5");
  EXPECT_EQ(parseError("failure_strategy: nope\nstrategy: bad\nprocessors: []\n"),
            parseError("failure_strategy: nope\nprocessors: []\nstrategy: level\n"));
  EXPECT_EQ(parseError("strategy: bad\nfailure_strategy: nope\nprocessors: []\n")
                .rfind("strategy: unknown variant `bad`", 0),
            0u);
  EXPECT_EQ(parseError("strategy: level\nprocessors: [\n"),
            parseError("strategy: level\nprocessors: [\n"));
  EXPECT_NE(parseError("strategy: level\nprocessors: [\n").find("YAML syntax error"),
            std::string::npos);
}

TEST(Manifest, DagwoodMeaningsAndWarnings) {
  Manifest m = parseOk("strategy: hybrid\n"
                       "wasm:\n  fuel: {default: 7, minimum: 100, maximum: 1000}\n"
                       "executor_options: {max_concurrency: 3, batch_size: 9}\n"
                       "processors:\n"
                       "  - id: a\n    type: local\n    processor: prefix_suffix_adder\n"
                       "    depends_on:\n    options:\n      prefix: 12\n      suffix: \"\"\n"
                       "      colour: red\n"
                       "  - {id: b, type: wasm, module: b.wasm, depends_on: [a],"
                       " options: {fuel_level: 5}}\n"
                       "  - {id: c, type: wasm, module: c.wasm, depends_on: [a],"
                       " options: {fuel_level: 99999, intent: ANALYZE}}\n"
                       "  - {id: d, type: wasm, module: d.wasm, depends_on: [a]}\n"
                       "intent: transform\n");
  ASSERT_EQ(m.nodes.size(), 4u);
  EXPECT_EQ(m.strategy, Strategy::WorkQueue);
  EXPECT_EQ(m.strategy_spelling, "hybrid");
  EXPECT_EQ(m.max_concurrency, 3u);
  EXPECT_TRUE(m.nodes[0].depends_on.empty()); // `depends_on:` with nothing: an empty list
  EXPECT_EQ(m.nodes[0].prefix, "[");          // a number is not a string: the default
  EXPECT_EQ(m.nodes[0].suffix, "");
  EXPECT_EQ(*m.nodes[1].fuel, 100u);  // clamped up
  EXPECT_EQ(*m.nodes[2].fuel, 1000u); // clamped down
  EXPECT_EQ(*m.nodes[3].fuel, 7u);    // the default, unclamped
  EXPECT_EQ(m.nodes[2].intent, Intent::Analyze);
  std::string warnings;
  for (const std::string &w : m.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("unknown key `intent`"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("unknown key `colour`"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("batch_size has no effect"), std::string::npos) << warnings;
}

// Print order, levels and the final node (dagwood-compat §3.8).
TEST(Graph, PrintOrderAndLevels) {
  Manifest m = parseOk("strategy: level\nprocessors:\n"
                       "  - {id: d, type: local, processor: reverse_text, depends_on: [b, c]}\n"
                       "  - {id: a, type: local, processor: reverse_text}\n"
                       "  - {id: c, type: local, processor: reverse_text, depends_on: [a]}\n"
                       "  - {id: b, type: local, processor: reverse_text, depends_on: [a]}\n"
                       "  - {id: x, type: local, processor: reverse_text}\n");
  GraphInfo g = describeGraph(m);
  std::string order;
  for (size_t v : g.order) order += m.nodes[v].id;
  EXPECT_EQ(order, "axcbd"); // entries first; then d waits for the pass after c and b
  ASSERT_EQ(g.levels.size(), 3u);
  EXPECT_EQ(g.levels[0], (std::vector<size_t>{1, 4}));
  EXPECT_EQ(g.levels[1], (std::vector<size_t>{2, 3}));
  EXPECT_EQ(g.levels[2], (std::vector<size_t>{0}));
  EXPECT_NE(graphToDot(m).find("\"a\" -> \"c\";"), std::string::npos);
}

constexpr const char *kDiamond = R"(strategy: work_queue
processors:
  - id: upper
    type: local
    processor: change_text_case_upper
  - id: tokens
    type: local
    processor: token_counter
    depends_on: [upper]
  - id: words
    type: local
    processor: word_frequency_analyzer
    depends_on: [upper]
  - id: reverse
    type: local
    processor: reverse_text
    depends_on: [tokens, words]
  - id: wrap
    type: local
    processor: prefix_suffix_adder
    depends_on: [reverse]
    options: {prefix: "<", suffix: ">"}
)";

TEST(Pipeline, DiamondWithAnalyzers) {
  RunReport r = runYaml(kDiamond, "hello hello world");
  ASSERT_TRUE(r.succeeded) << r.summary();
  EXPECT_EQ(r.final_output, "<DLROW OLLEH OLLEH>");
  EXPECT_EQ(node(r, "upper").output, "HELLO HELLO WORLD");
  EXPECT_EQ(node(r, "tokens").output, ""); // analyzers store an empty payload
  EXPECT_EQ(node(r, "reverse").output, "DLROW OLLEH OLLEH");
  Metadata want = {
      {"initial_context",
       {{"config_file", "test.yaml"},
        {"hostname", "test-host"},
        {"input_text", "hello hello world"}}},
      {"token_counter", {{"char_count", "17"}, {"word_count", "3"}, {"line_count", "1"}}},
      {"word_frequency_analyzer",
       {{"word_freq_hello", "2"}, {"word_freq_world", "1"}, {"total_unique_words", "2"}}}};
  EXPECT_EQ(r.metadata, want);
}

TEST(Pipeline, AnAnalyzerLastGivesAnEmptyFinalOutputAsInDagwood) {
  RunReport r = runYaml("strategy: level\nprocessors:\n"
                        "  - {id: a, type: local, processor: change_text_case_lower}\n"
                        "  - {id: t, type: local, processor: token_counter, depends_on: [a]}\n",
                        "AB CD");
  ASSERT_TRUE(r.succeeded);
  EXPECT_TRUE(r.has_final_output);
  EXPECT_EQ(r.final_output, "");
}

// Two independent branches: each reads its own ancestors only (DAGwood's
// one global payload would let a branch see the other's output).
TEST(Pipeline, TwoEntryPointsKeepTheirBranches) {
  RunReport r =
      runYaml("strategy: reactive\nprocessors:\n"
              "  - {id: a, type: local, processor: change_text_case_upper}\n"
              "  - {id: b, type: local, processor: reverse_text}\n"
              "  - {id: a2, type: local, processor: prefix_suffix_adder, depends_on: [a]}\n"
              "  - {id: b2, type: local, processor: prefix_suffix_adder, depends_on: [b]}\n"
              "  - {id: join, type: local, processor: change_text_case_lower,"
              " depends_on: [a2, b2]}\n",
              "abc");
  ASSERT_TRUE(r.succeeded);
  EXPECT_EQ(node(r, "a2").output, "[ABC]");
  EXPECT_EQ(node(r, "b2").output, "[cba]");
  EXPECT_EQ(node(r, "join").output, "[cba]"); // b2 is later than a2 in print order
}

// Random DAGs of local processors (fixed seed): every strategy and
// concurrency gives the same outputs, outcomes and metadata.
std::string randomDag(std::mt19937 &rng) {
  static const char *kProcessors[] = {
      "change_text_case_upper", "change_text_case_lower", "change_text_case_proper",
      "change_text_case_title", "reverse_text",           "prefix_suffix_adder",
      "token_counter",          "word_frequency_analyzer"};
  const char *strategies[] = {"work_queue", "level", "reactive"};
  int n = 2 + int(rng() % 12);
  std::string y = std::string("strategy: ") + strategies[rng() % 3] + "\nprocessors:\n";
  for (int i = 0; i < n; ++i) {
    y += "  - id: n" + std::to_string(i) +
         "\n    type: local\n    processor: " + kProcessors[rng() % std::size(kProcessors)] + "\n";
    std::string deps;
    for (int j = 0; j < i; ++j)
      if (rng() % 3 == 0) deps += (deps.empty() ? "" : ", ") + std::string("n") + std::to_string(j);
    if (!deps.empty()) y += "    depends_on: [" + deps + "]\n";
    if (rng() % 2) y += "    options: {prefix: \"(" + std::to_string(i) + "\", suffix: \")\"}\n";
  }
  return y;
}

void expectSameRun(const RunReport &a, const RunReport &b, const std::string &what) {
  EXPECT_EQ(a.succeeded, b.succeeded) << what;
  EXPECT_EQ(a.final_output, b.final_output) << what;
  EXPECT_EQ(a.metadata, b.metadata) << what;
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    EXPECT_EQ(a.nodes[i].outcome, b.nodes[i].outcome) << what << " node " << a.nodes[i].id;
    EXPECT_EQ(a.nodes[i].output, b.nodes[i].output) << what << " node " << a.nodes[i].id;
    EXPECT_EQ(a.nodes[i].metadata, b.nodes[i].metadata) << what;
  }
}

// The progress events of a run (RunOptions::on_event) describe it exactly:
// every node finishes once with its final report, a node starts at most
// once, after all its dependencies finished and before it finishes, and no
// more run at once than max_concurrency.
void expectConsistentEvents(const std::string &yaml, const RunOptions &base,
                            const std::string &what) {
  Manifest m = parseOk(yaml);
  auto p = Pipeline::create(m);
  ASSERT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  const size_t n = m.nodes.size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index[m.nodes[i].id] = i;
  std::vector<int> started(n, 0), finished(n, 0);
  std::vector<NodeOutcome> seen(n);
  unsigned running = 0, peak = 0;
  std::vector<std::string> errors;
  RunOptions o = base;
  o.on_event = [&](const NodeEvent &e) {
    if (e.node >= n) {
      errors.push_back("node index out of range");
      return;
    }
    const NodeSpec &spec = m.nodes[e.node];
    if (e.kind == NodeEvent::Kind::Started) {
      if (started[e.node]++ || finished[e.node]) errors.push_back(spec.id + " started twice/late");
      for (const std::string &d : spec.depends_on)
        if (!finished[index[d]]) errors.push_back(spec.id + " started before " + d + " finished");
      peak = std::max(peak, ++running);
    } else {
      if (finished[e.node]++) errors.push_back(spec.id + " finished twice");
      if (!e.report) {
        errors.push_back(spec.id + " finished without a report");
        return;
      }
      seen[e.node] = e.report->outcome;
      if (started[e.node])
        --running;
      else if (e.report->outcome != NodeOutcome::Skipped)
        errors.push_back(spec.id + " finished without starting");
    }
  };
  RunReport r = (*p)->run("Some text, Some TEXT", o);
  EXPECT_TRUE(errors.empty()) << what << ": " << (errors.empty() ? "" : errors[0]);
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(finished[i], 1) << what << " node " << m.nodes[i].id;
    EXPECT_EQ(seen[i], r.nodes[i].outcome) << what << " node " << m.nodes[i].id;
    EXPECT_EQ(started[i] == 1, r.nodes[i].outcome != NodeOutcome::Skipped)
        << what << " node " << m.nodes[i].id;
  }
  EXPECT_LE(peak, o.max_concurrency) << what;
}

TEST(Pipeline, ProgressEventsDescribeTheRun) {
  std::mt19937 rng(21);
  for (int dag = 0; dag < 30; ++dag) {
    std::string yaml = randomDag(rng);
    // Some nodes trap: their dependents are skipped or the run stops.
    const char *failure[] = {"fail_fast", "continue_on_error", "best_effort"};
    yaml = "failure_strategy: " + std::string(failure[dag % 3]) + "\n" + yaml;
    for (int k = 0; k < 2; ++k) {
      size_t at = yaml.find("processor: ", rng() % yaml.size());
      if (at == std::string::npos || yaml.compare(at, 12, "processor: x") == 0) continue;
      size_t line_end = yaml.find('\n', at);
      yaml.replace(at, line_end - at, "processor: x\n    module: " + guest("dagwood_trap"));
      size_t type = yaml.rfind("type: local", at);
      yaml.replace(type, 11, "type: wasm ");
    }
    for (Strategy s : {Strategy::WorkQueue, Strategy::Level, Strategy::Reactive})
      for (unsigned c : {1u, 2u, 8u}) {
        RunOptions o;
        o.strategy = s;
        o.max_concurrency = c;
        expectConsistentEvents(yaml, o,
                               yaml + " under " + strategyName(s) + " x" + std::to_string(c));
      }
  }
}

TEST(Pipeline, EveryStrategyGivesTheSameResultOnGeneratedDags) {
  std::mt19937 rng(8);
  int compared = 0;
  for (int dag = 0; dag < 40; ++dag) {
    std::string yaml = dag == 0 ? std::string(kDiamond) : randomDag(rng);
    auto p = Pipeline::create(parseOk(yaml));
    ASSERT_TRUE(p.ok());
    RunOptions base;
    base.hostname = "h";
    base.strategy = Strategy::WorkQueue;
    base.max_concurrency = 1;
    RunReport reference = (*p)->run("The quick  brown\tfox, the LAZY dog ß", base);
    for (Strategy s : {Strategy::WorkQueue, Strategy::Level, Strategy::Reactive})
      for (unsigned c : {1u, 2u, 8u})
        for (int rep = 0; rep < 3; ++rep) {
          RunOptions o = base;
          o.strategy = s;
          o.max_concurrency = c;
          expectSameRun(reference, (*p)->run("The quick  brown\tfox, the LAZY dog ß", o),
                        yaml + " under " + strategyName(s) + " x" + std::to_string(c));
          ++compared;
        }
  }
  EXPECT_EQ(compared, 40 * 27);
}

std::string wasmNode(const std::string &id, const std::string &module, const std::string &deps,
                     const std::string &extra = "") {
  return "  - id: " + id + "\n    type: wasm\n    module: " + guest(module) + "\n" +
         (deps.empty() ? "" : "    depends_on: [" + deps + "]\n") + extra;
}

TEST(Pipeline, WasmNodesWithTheDagwoodAbi) {
  std::string yaml = "strategy: work_queue\nprocessors:\n" +
                     std::string("  - {id: up, type: local, processor: change_text_case_upper}\n") +
                     wasmNode("append", "dagwood_append", "up") +
                     wasmNode("rle", "dagwood_rle", "append") +
                     wasmNode("wasi", "dagwood_wasi", "rle");
  RunReport r = runYaml(yaml, "aab");
  ASSERT_TRUE(r.succeeded) << r.summary();
  EXPECT_EQ(node(r, "append").output, "AAB::WASM");
  EXPECT_EQ(node(r, "rle").output, "2A1B2:1W1A1S1M");
  EXPECT_EQ(r.final_output, "2A1B2:1W1A1S1M::WASI");
  const auto &meta = r.metadata.at("append");
  EXPECT_EQ(meta.at("artifact_type"), "C-Style");
  EXPECT_EQ(meta.at("input_length"), "3");
  EXPECT_EQ(meta.at("output_length"), "9");
  EXPECT_GT(node(r, "append").fuel_used, 0u);
  // DAGwood's appender refuses empty input: allocate(0) answers 0.
  RunReport empty = runYaml(yaml, "");
  EXPECT_FALSE(empty.succeeded);
  EXPECT_EQ(node(empty, "append").message, "WASM execution failed: Runtime error: Failed to "
                                           "allocate input memory");
  EXPECT_EQ(node(empty, "rle").outcome, NodeOutcome::Skipped);
}

// A looping node stops on its own deadline or fuel while its siblings finish.
TEST(Pipeline, LoopingNodesStopOnTheirOwnLimits) {
  std::string yaml =
      "strategy: level\nfailure_strategy: continue_on_error\nprocessors:\n" +
      std::string("  - {id: start, type: local, processor: reverse_text}\n") +
      wasmNode("by_time", "dagwood_loop", "start",
               "    options: {timeout: 100ms, fuel_level: 500000000}\n") +
      wasmNode("by_fuel", "dagwood_loop", "start", "    options: {fuel_level: 2000000}\n") +
      wasmNode("sibling", "dagwood_append", "start") +
      "  - {id: after, type: local, processor: reverse_text, depends_on: [by_fuel]}\n";
  auto started = std::chrono::steady_clock::now();
  RunReport r = runYaml(yaml, "abc");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
  EXPECT_FALSE(r.succeeded);
  EXPECT_EQ(node(r, "by_time").outcome, NodeOutcome::Deadline) << r.summary();
  EXPECT_EQ(node(r, "by_fuel").outcome, NodeOutcome::OutOfFuel) << r.summary();
  EXPECT_EQ(node(r, "by_fuel").fuel_used, 2000000u);
  EXPECT_EQ(node(r, "sibling").output, "cba::WASM");
  EXPECT_EQ(node(r, "after").outcome, NodeOutcome::Skipped);
  EXPECT_EQ(node(r, "after").message, "dependency 'by_fuel' out_of_fuel");
}

// A failing node in the middle under each failure strategy.
TEST(Pipeline, FailureStrategies) {
  auto yamlFor = [&](const char *failure) {
    return std::string("strategy: reactive\nfailure_strategy: ") + failure + "\nprocessors:\n" +
           "  - {id: a, type: local, processor: change_text_case_upper}\n" +
           wasmNode("bad", "dagwood_trap", "a") + wasmNode("good", "dagwood_append", "a") +
           "  - {id: after_bad, type: local, processor: reverse_text, depends_on: [bad]}\n"
           "  - {id: last, type: local, processor: reverse_text, depends_on: [good]}\n";
  };
  RunReport cont = runYaml(yamlFor("continue_on_error"), "x");
  EXPECT_FALSE(cont.succeeded);
  EXPECT_EQ(node(cont, "bad").outcome, NodeOutcome::Trapped);
  EXPECT_EQ(node(cont, "after_bad").outcome, NodeOutcome::Skipped);
  EXPECT_EQ(node(cont, "last").output, "MSAW::X");
  RunReport best = runYaml(yamlFor("best_effort"), "x");
  EXPECT_TRUE(best.succeeded); // the final node (last) returned
  EXPECT_EQ(best.final_output, "MSAW::X");
  EXPECT_EQ(node(best, "after_bad").outcome, NodeOutcome::Skipped);
  RunOptions one;
  one.max_concurrency = 1;
  RunReport fast = runYaml(yamlFor("fail_fast"), "x", one);
  EXPECT_FALSE(fast.succeeded);
  EXPECT_EQ(node(fast, "bad").outcome, NodeOutcome::Trapped);
  EXPECT_EQ(node(fast, "after_bad").outcome, NodeOutcome::Skipped);
  EXPECT_NE(node(fast, "after_bad").message.find("the run stopped: 'bad'"), std::string::npos);
}

TEST(Pipeline, CancelTheRunFromAnotherThread) {
  std::string yaml =
      "strategy: reactive\nprocessors:\n" +
      wasmNode("spin", "dagwood_loop", "", "    options: {fuel_level: 500000000}\n") +
      "  - {id: after, type: local, processor: reverse_text, depends_on: [spin]}\n";
  auto p = Pipeline::create(parseOk(yaml));
  ASSERT_TRUE(p.ok());
  RunControl control;
  RunOptions o;
  o.control = &control;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    control.cancelNode("spin");
  });
  RunReport r = (*p)->run("x", o);
  canceller.join();
  EXPECT_EQ(node(r, "spin").outcome, NodeOutcome::Cancelled) << r.summary();
  EXPECT_EQ(node(r, "after").outcome, NodeOutcome::Skipped);
}

} // namespace
} // namespace halter::pipeline
