// The manifest: YAML (yaml-cpp) into a Manifest, with DAGwood's keys and
// meanings (../shared/dagwood-compat.md §1) and halter's own on top.
#include "halter/file_bytes.h"
#include "halter/limit_text.h"
#include "halter/pipeline.h"

#include "pipeline/graph.h"
#include "pipeline/local_processors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace halter::pipeline {

namespace {

Error manifestError(std::string message) {
  return makeError(ErrorCode::InvalidManifest, kNoOffset, std::move(message));
}

Place placeOf(const YAML::Node &n) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::string at(const YAML::Node &n) {
  Place p = placeOf(n);
  if (p.line == 0) return "";
  return " at line " + std::to_string(p.line) + " column " + std::to_string(p.column);
}

// A key written with nothing after it (or only a comment), which serde_yaml
// reads as an empty list or map; `~` and `null` are nulls written out.
bool isEmptyPlain(const YAML::Node &n) {
  return n.IsNull() && n.Tag() != "!" && n.Scalar().empty();
}

bool isPlain(const YAML::Node &n) {
  return n.IsScalar() && n.Tag() == "?";
}

// A plain scalar that YAML 1.2's core schema reads as something other than
// a string (serde_yaml's as_str() answers None for these).
bool plainNonString(const std::string &s) {
  static const std::set<std::string> kWords = {"true",  "false", "True", "False", "TRUE",
                                               "FALSE", "null",  "Null", "NULL",  "~",
                                               ".inf",  "-.inf", ".nan", ".NaN",  ".Inf"};
  if (s.empty() || kWords.count(s)) return true;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  bool digits = false, dot = false, exp = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits = true;
    } else if (c == '.' && !dot && !exp) {
      dot = true;
    } else if ((c == 'e' || c == 'E') && digits && !exp) {
      exp = true;
      if (i + 1 < s.size() && (s[i + 1] == '-' || s[i + 1] == '+')) ++i;
    } else if (c == '_' || c == 'x' || c == 'o' ||
               (std::isxdigit(static_cast<unsigned char>(c)) && s.size() > 2 && s[1] == 'x')) {
      continue; // 0x1F, 0o17: numbers too
    } else {
      return false;
    }
  }
  return digits;
}

// A YAML string: quoted, or plain and not a number, bool or null.
bool isString(const YAML::Node &n) {
  if (!n.IsScalar()) return false;
  return n.Tag() == "!" || !plainNonString(n.Scalar());
}

std::string describeValue(const YAML::Node &n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a sequence";
  if (n.IsNull()) return "null";
  if (isString(n)) return "string \"" + n.Scalar() + "\"";
  return n.Scalar();
}

// An unsigned integer written as a plain number.
Result<uint64_t> readUnsigned(const YAML::Node &n, const std::string &key) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  bool ok = isPlain(n) && !s.empty() && s.size() <= 20 &&
            std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  uint64_t v = 0;
  if (ok) {
    for (char c : s) {
      uint64_t next = v * 10 + uint64_t(c - '0');
      if (next / 10 != v) {
        ok = false;
        break;
      }
      v = next;
    }
  }
  if (!ok) {
    return manifestError(key + ": invalid type: " + describeValue(n) +
                         ", expected an unsigned integer" + at(n));
  }
  return v;
}

Result<std::string> readString(const YAML::Node &n, const std::string &key) {
  if (!isString(n)) {
    return manifestError(key + ": invalid type: " + describeValue(n) + ", expected a string" +
                         at(n));
  }
  return n.Scalar();
}

template <class T, size_t N>
Result<T> readVariant(const YAML::Node &n, const std::string &key,
                      const std::pair<const char *, T> (&variants)[N]) {
  std::string expected;
  for (size_t i = 0; i < N; ++i) expected += std::string(i ? ", `" : "`") + variants[i].first + "`";
  if (!isString(n)) {
    return manifestError(key + ": invalid type: " + describeValue(n) + ", expected one of " +
                         expected + at(n));
  }
  for (const auto &[name, value] : variants)
    if (n.Scalar() == name) return value;
  return manifestError(key + ": unknown variant `" + n.Scalar() + "`, expected one of " + expected +
                       at(n));
}

constexpr std::pair<const char *, Strategy> kStrategies[] = {{"work_queue", Strategy::WorkQueue},
                                                             {"level", Strategy::Level},
                                                             {"reactive", Strategy::Reactive},
                                                             {"hybrid", Strategy::WorkQueue}};
constexpr std::pair<const char *, FailureStrategy> kFailures[] = {
    {"fail_fast", FailureStrategy::FailFast},
    {"continue_on_error", FailureStrategy::ContinueOnError},
    {"best_effort", FailureStrategy::BestEffort}};
enum class Backend : uint8_t { Local, Loadable, Grpc, Http, Wasm };
constexpr std::pair<const char *, Backend> kBackends[] = {{"local", Backend::Local},
                                                          {"loadable", Backend::Loadable},
                                                          {"grpc", Backend::Grpc},
                                                          {"http", Backend::Http},
                                                          {"wasm", Backend::Wasm}};
constexpr std::pair<const char *, Abi> kAbis[] = {
    {"auto", Abi::Auto}, {"dagwood", Abi::Dagwood}, {"wasi-command", Abi::WasiCommand}};

// The keys a map may hold; the others get a warning (DAGwood ignores them
// silently, so a typo would do nothing).
void warnUnknown(const YAML::Node &map, std::initializer_list<const char *> known,
                 const std::string &where, std::vector<std::string> &warnings) {
  if (!map.IsMap()) return;
  for (const auto &kv : map) {
    const std::string key = kv.first.Scalar();
    if (std::find_if(known.begin(), known.end(), [&](const char *k) { return key == k; }) ==
        known.end())
      warnings.push_back(where + ": unknown key `" + key + "` is ignored" + at(kv.first));
  }
}

Result<std::chrono::nanoseconds> readDuration(const YAML::Node &n, const std::string &key) {
  HALTER_ASSIGN_OR_RETURN(std::string text, readString(n, key));
  auto d = parseDuration(text);
  if (!d) return manifestError(key + ": " + d.error().message + at(n));
  return *d;
}

Result<uint64_t> readSize(const YAML::Node &n, const std::string &key) {
  const std::string &plain = n.IsScalar() ? n.Scalar() : "";
  if (isPlain(n) && !plain.empty() &&
      std::all_of(plain.begin(), plain.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return readUnsigned(n, key); // a bare number of bytes
  HALTER_ASSIGN_OR_RETURN(std::string text, readString(n, key));
  auto s = parseSize(text);
  if (!s) return manifestError(key + ": " + s.error().message + at(n));
  return *s;
}

struct NodeDefaults {
  std::optional<std::chrono::nanoseconds> timeout;
  uint64_t max_memory_bytes = 0;
  unsigned retries = 0;
  std::optional<std::chrono::nanoseconds> backoff;
};

Result<void> readLimits(const YAML::Node &map, const std::string &where, NodeDefaults &out) {
  if (const YAML::Node t = map["timeout"]) {
    HALTER_ASSIGN_OR_RETURN(out.timeout, readDuration(t, where + ".timeout"));
  }
  if (const YAML::Node m = map["max_memory"]) {
    HALTER_ASSIGN_OR_RETURN(out.max_memory_bytes, readSize(m, where + ".max_memory"));
  }
  if (const YAML::Node r = map["retries"]) {
    HALTER_ASSIGN_OR_RETURN(uint64_t n, readUnsigned(r, where + ".retries"));
    if (n > 100) return manifestError(where + ".retries: at most 100" + at(r));
    out.retries = unsigned(n);
  }
  if (const YAML::Node b = map["backoff"]) {
    HALTER_ASSIGN_OR_RETURN(out.backoff, readDuration(b, where + ".backoff"));
  }
  return okResult();
}

// options.fuel_level as DAGwood reads it: an integer, not negative, clamped.
Result<uint64_t> readFuelLevel(const YAML::Node &n, const std::string &id, const FuelPolicy &p) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  if (isPlain(n) && !s.empty() && s[0] == '-' && s.size() > 1 &&
      std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return manifestError("processor '" + id + "': fuel_level cannot be negative" + at(n));
  }
  auto v = readUnsigned(n, "fuel_level");
  if (!v) return manifestError("processor '" + id + "': fuel_level must be a number" + at(n));
  return std::clamp(*v, p.minimum, p.maximum);
}

// An error DAGwood finds when it builds the processor, after validating the
// graph: Pipeline::create reports it, in manifest order (dagwood-compat §1.6).
NodeSpec deferToBuild(NodeSpec &node, std::string message) {
  node.build_error = std::move(message);
  return node;
}

Result<NodeSpec> readNode(const YAML::Node &n, size_t index, const Manifest &m,
                          const NodeDefaults &defaults, std::vector<std::string> &warnings) {
  const std::string where = "processors[" + std::to_string(index) + "]";
  if (!n.IsMap()) {
    return manifestError(where + ": invalid type: " + describeValue(n) + ", expected a map" +
                         at(n));
  }
  NodeSpec node;
  node.place = placeOf(n);
  const YAML::Node id = n["id"];
  if (!id) return manifestError(where + ": missing field `id`" + at(n));
  HALTER_ASSIGN_OR_RETURN(node.id, readString(id, where + ".id"));
  const std::string named = where + " ('" + node.id + "')";
  const YAML::Node type = n["type"];
  if (!type) return manifestError(named + ": missing field `type`" + at(n));
  HALTER_ASSIGN_OR_RETURN(Backend backend, readVariant(type, named + ".type", kBackends));
  node.kind = backend == Backend::Wasm ? NodeKind::Wasm : NodeKind::Local;
  warnUnknown(n,
              {"id", "type", "processor", "endpoint", "module", "depends_on", "options", "abi",
               "module_sha256", "retries", "backoff", "timeout", "max_memory"},
              named, warnings);

  if (const YAML::Node deps = n["depends_on"]; deps && !isEmptyPlain(deps)) {
    if (!deps.IsSequence()) {
      return manifestError(named + ".depends_on: invalid type: " + describeValue(deps) +
                           ", expected a sequence" + at(deps));
    }
    for (size_t i = 0; i < deps.size(); ++i) {
      HALTER_ASSIGN_OR_RETURN(std::string dep, readString(deps[i], named + ".depends_on"));
      node.depends_on.push_back(std::move(dep));
    }
  }
  const YAML::Node raw_options = n["options"];
  if (raw_options && !isEmptyPlain(raw_options) && !raw_options.IsMap()) {
    return manifestError(named + ".options: invalid type: " + describeValue(raw_options) +
                         ", expected a map" + at(raw_options));
  }
  // Absent, or `options:` with nothing: an empty map.
  const YAML::Node options =
      raw_options && raw_options.IsMap() ? raw_options : YAML::Node(YAML::NodeType::Map);

  NodeDefaults limits = defaults;
  HALTER_TRY(readLimits(options, named + ".options", limits));
  HALTER_TRY(readLimits(n, named, limits)); // retries and backoff sit beside depends_on
  node.timeout = limits.timeout;
  node.max_memory_bytes = limits.max_memory_bytes;
  node.retries = limits.retries;
  if (limits.backoff) node.backoff = *limits.backoff;

  // DAGwood's runtime build: from here on its errors wait for Pipeline::create.
  if (backend == Backend::Loadable || backend == Backend::Grpc || backend == Backend::Http) {
    const char *what = backend == Backend::Loadable ? "dynamic library loading"
                       : backend == Backend::Grpc   ? "gRPC client"
                                                    : "HTTP client";
    const char *name = backend == Backend::Loadable ? "Loadable"
                       : backend == Backend::Grpc   ? "Grpc"
                                                    : "Http";
    return deferToBuild(node, std::string("Backend type '") + name +
                                  "' is not implemented for processor '" + node.id + "'. " + what +
                                  " is not yet supported." + at(type));
  }
  if (node.kind == NodeKind::Local) {
    const YAML::Node processor = n["processor"];
    if (!processor)
      return deferToBuild(node,
                          "Local processor '" + node.id + "' missing 'processor' field" + at(n));
    HALTER_ASSIGN_OR_RETURN(node.processor, readString(processor, named + ".processor"));
    node.intent = localIntent(node.processor); // fixed in code, as in DAGwood
    if (node.processor == "prefix_suffix_adder") {
      // Not a string (a number, say): DAGwood uses the default.
      if (options["prefix"] && isString(options["prefix"]))
        node.prefix = options["prefix"].Scalar();
      if (options["suffix"] && isString(options["suffix"]))
        node.suffix = options["suffix"].Scalar();
      warnUnknown(options, {"prefix", "suffix", "timeout", "max_memory"},
                  named + ".options (" + node.processor + ")", warnings);
    } else {
      warnUnknown(options, {"timeout", "max_memory"},
                  named + ".options" +
                      (isLocalProcessor(node.processor) ? " (" + node.processor + " reads none)"
                                                        : std::string()),
                  warnings);
    }
    return node;
  }

  const YAML::Node module = n["module"];
  if (!module) {
    return deferToBuild(
        node, "Invalid input: Missing required 'module' field in WASM processor configuration "
              "(processor '" +
                  node.id + "')" + at(n));
  }
  HALTER_ASSIGN_OR_RETURN(node.module, readString(module, named + ".module"));
  if (options["intent"]) {
    const YAML::Node intent = options["intent"];
    if (!isString(intent))
      return deferToBuild(node, "processor '" + node.id + "': Intent option must be a string" +
                                    at(intent));
    std::string lower = intent.Scalar();
    for (char &c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "transform") {
      node.intent = Intent::Transform;
    } else if (lower == "analyze") {
      node.intent = Intent::Analyze;
    } else {
      return deferToBuild(node, "processor '" + node.id + "': Invalid intent '" + lower +
                                    "'. Must be 'transform' or 'analyze'." + at(intent));
    }
  }
  if (m.fuel.minimum > m.fuel.maximum && options["fuel_level"]) {
    return deferToBuild(node, "wasm.fuel: minimum (" + std::to_string(m.fuel.minimum) +
                                  ") is greater than maximum (" + std::to_string(m.fuel.maximum) +
                                  "), so fuel_level of processor '" + node.id +
                                  "' cannot be clamped");
  }
  if (options["fuel_level"]) {
    auto fuel = readFuelLevel(options["fuel_level"], node.id, m.fuel);
    if (!fuel) return deferToBuild(node, fuel.error().message);
    node.fuel = *fuel;
  } else {
    node.fuel = m.fuel.default_fuel; // unclamped, as DAGwood does
  }
  warnUnknown(options, {"intent", "fuel_level", "timeout", "max_memory"}, named + ".options (wasm)",
              warnings);
  if (const YAML::Node abi = n["abi"]) {
    HALTER_ASSIGN_OR_RETURN(node.abi, readVariant(abi, named + ".abi", kAbis));
  }
  if (const YAML::Node hash = n["module_sha256"]) {
    HALTER_ASSIGN_OR_RETURN(node.module_sha256, readString(hash, named + ".module_sha256"));
    for (char &c : node.module_sha256) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (node.module_sha256.size() != 64 ||
        !std::all_of(node.module_sha256.begin(), node.module_sha256.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
      return manifestError(named + ".module_sha256: expected 64 hexadecimal digits" + at(hash));
  }
  return node;
}

// The processors, appended to m.nodes (warnings to `warnings`).
Result<void> readProcessors(const YAML::Node &processors, Manifest &m, const NodeDefaults &defaults,
                            std::vector<std::string> &warnings) {
  if (isEmptyPlain(processors)) return okResult();
  if (!processors.IsSequence())
    return manifestError("processors: invalid type: " + describeValue(processors) +
                         ", expected a sequence" + at(processors));
  if (processors.size() > kMaxProcessors)
    return manifestError("processors: " + std::to_string(processors.size()) +
                         " processors; at most " + std::to_string(kMaxProcessors));
  for (size_t i = 0; i < processors.size(); ++i) {
    HALTER_ASSIGN_OR_RETURN(NodeSpec node, readNode(processors[i], i, m, defaults, warnings));
    m.nodes.push_back(std::move(node));
  }
  return okResult();
}

// Flow collections nested deeper than this, or block content indented
// further, are refused: real manifests nest three or four levels.
constexpr int kMaxFlowDepth = 64;
constexpr size_t kMaxIndent = 256;

Result<void> checkNesting(std::string_view yaml) {
  int depth = 0, line = 1;
  size_t column = 0;
  bool indenting = true;
  char quote = 0;
  for (char c : yaml) {
    if (c == '\n') {
      ++line;
      column = 0;
      indenting = true;
      continue;
    }
    ++column;
    if (indenting && c != ' ' && c != '-') {
      indenting = false;
      if (column > kMaxIndent)
        return manifestError("line " + std::to_string(line) + ": indented more than " +
                             std::to_string(kMaxIndent) + " columns");
    }
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxFlowDepth)
        return manifestError("line " + std::to_string(line) + ": nested more than " +
                             std::to_string(kMaxFlowDepth) + " levels deep");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return okResult();
}

} // namespace

const char *strategyName(Strategy s) {
  switch (s) {
  case Strategy::WorkQueue:
    return "work_queue";
  case Strategy::Level:
    return "level";
  case Strategy::Reactive:
    return "reactive";
  }
  return "?";
}

const char *failureStrategyName(FailureStrategy f) {
  switch (f) {
  case FailureStrategy::FailFast:
    return "fail_fast";
  case FailureStrategy::ContinueOnError:
    return "continue_on_error";
  case FailureStrategy::BestEffort:
    return "best_effort";
  }
  return "?";
}

const char *abiName(Abi a) {
  switch (a) {
  case Abi::Auto:
    return "auto";
  case Abi::Dagwood:
    return "dagwood";
  case Abi::WasiCommand:
    return "wasi-command";
  }
  return "?";
}

namespace {

// The manifest in a parsed YAML document.
Result<Manifest> readManifest(const YAML::Node &root, std::string path,
                              const ManifestOptions &options) {
  if (!root.IsMap()) {
    return manifestError("invalid type: " + describeValue(root) +
                         ", expected a map with `strategy` and `processors`");
  }
  Manifest m;
  m.path = std::move(path);
  warnUnknown(
      root, {"strategy", "failure_strategy", "executor_options", "wasm", "processors", "defaults"},
      "manifest", m.warnings);
  // Each top-level section, in the order they depend on each other
  // (processors use wasm's fuel and the defaults).
  NodeDefaults defaults;
  auto readStrategy = [&](const YAML::Node &v) -> Result<void> {
    HALTER_ASSIGN_OR_RETURN(m.strategy, readVariant(v, "strategy", kStrategies));
    m.strategy_spelling = v.Scalar();
    return okResult();
  };
  auto readFailure = [&](const YAML::Node &v) -> Result<void> {
    HALTER_ASSIGN_OR_RETURN(m.failure, readVariant(v, "failure_strategy", kFailures));
    return okResult();
  };
  auto readExecutor = [&](const YAML::Node &e) -> Result<void> {
    if (isEmptyPlain(e)) return okResult();
    if (!e.IsMap())
      return manifestError("executor_options: invalid type: " + describeValue(e) +
                           ", expected a map" + at(e));
    warnUnknown(e, {"max_concurrency", "timeout_seconds", "retry_attempts", "batch_size"},
                "executor_options", m.warnings);
    if (const YAML::Node c = e["max_concurrency"]) {
      HALTER_ASSIGN_OR_RETURN(uint64_t n, readUnsigned(c, "executor_options.max_concurrency"));
      m.max_concurrency = unsigned(std::clamp<uint64_t>(n, 1, 1024));
    }
    for (const char *unused : {"timeout_seconds", "retry_attempts", "batch_size"}) {
      if (const YAML::Node u = e[unused]) {
        HALTER_TRY(readUnsigned(u, std::string("executor_options.") + unused));
        m.warnings.push_back(std::string("executor_options.") + unused +
                             " has no effect (DAGwood parses it but never uses it; use "
                             "per-node timeout and retries)" +
                             at(u));
      }
    }
    return okResult();
  };
  auto readWasm = [&](const YAML::Node &w) -> Result<void> {
    if (isEmptyPlain(w)) return okResult();
    if (!w.IsMap())
      return manifestError("wasm: invalid type: " + describeValue(w) + ", expected a map" + at(w));
    warnUnknown(w, {"fuel"}, "wasm", m.warnings);
    const YAML::Node fuel = w["fuel"];
    if (fuel && !isEmptyPlain(fuel) && !fuel.IsMap())
      return manifestError("wasm.fuel: invalid type: " + describeValue(fuel) + ", expected a map" +
                           at(fuel));
    if (fuel && fuel.IsMap()) {
      warnUnknown(fuel, {"default", "minimum", "maximum"}, "wasm.fuel", m.warnings);
      if (fuel["default"]) {
        HALTER_ASSIGN_OR_RETURN(m.fuel.default_fuel,
                                readUnsigned(fuel["default"], "wasm.fuel.default"));
      }
      if (fuel["minimum"]) {
        HALTER_ASSIGN_OR_RETURN(m.fuel.minimum, readUnsigned(fuel["minimum"], "wasm.fuel.minimum"));
      }
      if (fuel["maximum"]) {
        HALTER_ASSIGN_OR_RETURN(m.fuel.maximum, readUnsigned(fuel["maximum"], "wasm.fuel.maximum"));
      }
    }
    return okResult();
  };
  auto readDefaults = [&](const YAML::Node &d) -> Result<void> {
    if (isEmptyPlain(d)) return okResult();
    if (!d.IsMap())
      return manifestError("defaults: invalid type: " + describeValue(d) + ", expected a map" +
                           at(d));
    warnUnknown(d, {"timeout", "max_memory", "retries", "backoff"}, "defaults", m.warnings);
    return readLimits(d, "defaults", defaults);
  };
  auto readAll = [&](const YAML::Node &p) { return readProcessors(p, m, defaults, m.warnings); };
  const std::pair<const char *, std::function<Result<void>(const YAML::Node &)>> sections[] = {
      {"strategy", readStrategy},         {"failure_strategy", readFailure},
      {"executor_options", readExecutor}, {"wasm", readWasm},
      {"defaults", readDefaults},         {"processors", readAll}};
  // DAGwood (serde) reads the keys in document order and stops at the first
  // error it meets; a missing key it reports only at the end. So each
  // section's error is kept and the one earliest in the document wins.
  auto documentIndex = [&](const std::string &key) {
    size_t i = 0;
    for (auto it = root.begin(); it != root.end(); ++it, ++i)
      if (it->first.IsScalar() && it->first.Scalar() == key) return i;
    return i;
  };
  std::optional<std::pair<size_t, Error>> first;
  for (const auto &[key, read] : sections) {
    const YAML::Node value = root[key];
    if (!value) continue;
    if (auto r = read(value); !r) {
      const size_t index = documentIndex(key);
      if (!first || index < first->first) first.emplace(index, r.error());
    }
  }
  if (first) return first->second;
  if (!root["strategy"]) return manifestError("missing field `strategy`");
  if (!root["processors"]) return manifestError("missing field `processors`");
  std::filesystem::path base =
      !options.module_dir.empty()            ? std::filesystem::path(options.module_dir)
      : options.modules_relative_to_manifest ? std::filesystem::path(m.path).parent_path()
                                             : std::filesystem::path();
  for (NodeSpec &node : m.nodes)
    if (node.kind == NodeKind::Wasm)
      node.module_path = std::filesystem::path(node.module).is_absolute() || base.empty()
                             ? node.module
                             : (base / node.module).string();

  std::vector<std::string> graph_errors = validateGraph(m);
  if (!graph_errors.empty()) {
    std::string text = "Configuration validation failed:";
    for (const std::string &e : graph_errors) text += "\n" + e;
    return manifestError(std::move(text));
  }
  return m;
}

} // namespace

Result<Manifest> Manifest::parse(std::string_view yaml, std::string path,
                                 const ManifestOptions &options) {
  // yaml-cpp recurses per nesting level: bound the input before it does.
  if (yaml.size() > kMaxManifestBytes)
    return manifestError("the manifest is " + std::to_string(yaml.size()) + " bytes; at most " +
                         std::to_string(kMaxManifestBytes) + " are read");
  HALTER_TRY(checkNesting(yaml));
  YAML::Node root;
  // yaml-cpp reports syntax errors by throwing; they stop here.
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception &e) {
    return manifestError("YAML syntax error: " + e.msg + " at line " +
                         std::to_string(e.mark.line + 1) + " column " +
                         std::to_string(e.mark.column + 1));
  }
  // Past the syntax, a yaml-cpp call may still throw on a shape nobody
  // checked for: that, too, is an error of the manifest, never a crash.
  try {
    return readManifest(root, std::move(path), options);
  } catch (const YAML::Exception &e) {
    return manifestError(std::string("manifest: ") + e.what());
  }
}

Result<Manifest> Manifest::load(const std::string &path, const ManifestOptions &options) {
  auto text = readFileText(path, kMaxManifestBytes);
  if (!text && text.error().code == ErrorCode::ResourceLimit)
    return manifestError("the manifest is larger than " + std::to_string(kMaxManifestBytes) +
                         " bytes, the most that is read (" + text.error().message + ")");
  if (!text) return makeError(ErrorCode::Io, kNoOffset, "cannot read " + text.error().message);
  return parse(*text, path, options);
}

} // namespace halter::pipeline
