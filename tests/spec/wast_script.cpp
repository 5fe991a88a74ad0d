#include "wast_script.h"

#include "spec_value.h"
#include "spectest_module.h"

#include "halter/halter.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

namespace halter::spec {

namespace {

using nlohmann::json;

std::optional<json> loadJson(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

std::string str(const json &obj, const char *key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Field names may hold any UTF-8, including NUL and control characters.
std::string quoteName(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool isValidationError(ErrorCode code) {
  return errorPhase(code) == ErrorPhase::Validate;
}

bool trapTextMatches(TrapKind kind, const std::string &expected) {
  std::string ours = trapKindText(kind);
  return expected.rfind(ours, 0) == 0 || ours.rfind(expected, 0) == 0;
}

std::string describeOutcome(const Outcome &outcome) {
  switch (outcome.kind) {
  case OutcomeKind::Returned:
    return "returned " + describeValues(outcome.results);
  case OutcomeKind::Trapped: {
    std::string out = std::string("trap ") + trapKindName(outcome.trap.kind) + " (" +
                      trapKindText(outcome.trap.kind) + ")";
    if (!outcome.trap.message.empty()) out += ": " + outcome.trap.message;
    return out;
  }
  default:
    return std::string("outcome ") + outcomeKindName(outcome.kind);
  }
}

struct Verdict {
  enum class Kind { Pass, Fail, Skip } kind = Kind::Pass;
  std::string message;
  static Verdict pass(std::string note = {}) { return {Kind::Pass, std::move(note)}; }
  static Verdict fail(std::string message) { return {Kind::Fail, std::move(message)}; }
  static Verdict skip(std::string why) { return {Kind::Skip, std::move(why)}; }
};

class ScriptRunner {
public:
  ScriptRunner(std::string dir, const ScriptOptions &options, ScriptProgress &progress)
      : dir_(std::move(dir)), options_(options), progress_(progress) {}

  void run(const json &commands) {
    auto spectest = spectest::defineSpectest(linker_);
    for (const json &cmd : commands) {
      std::string type = str(cmd, "type");
      uint32_t line = cmd.contains("line") && cmd["line"].is_number_unsigned()
                          ? cmd["line"].get<uint32_t>()
                          : 0;
      progress_.line = line;
      std::snprintf(progress_.command, sizeof progress_.command, "%s", type.c_str());
      Verdict verdict = spectest.ok()
                            ? runCommand(type, cmd)
                            : Verdict::fail("spectest module: " + spectest.error().describe());
      record(line, type, cmd, verdict);
    }
  }

private:
  Verdict runCommand(const std::string &type, const json &cmd) {
    if (type == "module") return runModule(cmd);
    if (type == "register") return runRegister(cmd);
    if (type == "action") return runActionCommand(cmd);
    if (type == "assert_return") return runAssertReturn(cmd);
    if (type == "assert_trap") return runAssertTrap(cmd, false);
    if (type == "assert_exhaustion") return runAssertTrap(cmd, true);
    if (type == "assert_invalid") return runAssertInvalid(cmd);
    if (type == "assert_malformed") return runAssertMalformed(cmd);
    if (type == "assert_unlinkable") return runAssertUnlinkable(cmd);
    if (type == "assert_uninstantiable") return runAssertUninstantiable(cmd);
    return Verdict::fail("unknown command type \"" + type + "\"");
  }

  void record(uint32_t line, const std::string &type, const json &cmd, const Verdict &verdict) {
    const char *status = "ok";
    switch (verdict.kind) {
    case Verdict::Kind::Pass:
      ++progress_.passed;
      break;
    case Verdict::Kind::Skip:
      ++progress_.skipped;
      status = "skipped";
      break;
    case Verdict::Kind::Fail:
      ++progress_.failed;
      status = "FAILED";
      break;
    }
    bool is_failure = verdict.kind == Verdict::Kind::Fail;
    if (is_failure && progress_.failure_lines_printed >= options_.max_failure_lines &&
        !options_.verbose) {
      return;
    }
    if (!is_failure && !options_.verbose) return;
    if (is_failure) ++progress_.failure_lines_printed;
    std::string what = describeCommand(type, cmd);
    std::printf("  line %u: %s: %s%s%s\n", line, what.c_str(), status,
                verdict.message.empty() ? "" : ": ", verdict.message.c_str());
    std::fflush(stdout);
  }

  std::string describeCommand(const std::string &type, const json &cmd) const {
    std::string out = type;
    if (cmd.contains("action")) out += " " + describeAction(cmd["action"]);
    std::string filename = str(cmd, "filename");
    if (!filename.empty()) out += " " + filename;
    std::string name = str(cmd, "name");
    if (!name.empty()) out += " " + name;
    std::string as = str(cmd, "as");
    if (!as.empty()) out += " as " + quoteName(as);
    return out;
  }

  static std::string describeAction(const json &action) {
    std::string out = str(action, "type") + " " + quoteName(str(action, "field"));
    if (action.contains("args") && action["args"].is_array()) {
      std::vector<Value> args;
      bool all_parsed = true;
      for (const json &arg : action["args"]) {
        auto v = parseArgument(arg);
        if (!v) {
          all_parsed = false;
          break;
        }
        args.push_back(*v);
      }
      out += all_parsed ? describeValues(args) : "(<bad args>)";
    }
    std::string module = str(action, "module");
    if (!module.empty()) out += " in " + module;
    return out;
  }

  Result<std::shared_ptr<const Module>> compileFile(const json &cmd) const {
    std::string filename = str(cmd, "filename");
    std::string path = dir_ + "/" + filename;
    std::ifstream in(path, std::ios::binary);
    if (filename.empty() || !in)
      return makeError(ErrorCode::Io, kNoOffset, "cannot read module file " + path);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    return Module::compile(bytes);
  }

  Verdict runModule(const json &cmd) {
    std::string name = str(cmd, "name");
    current_ = nullptr;
    if (!name.empty()) named_[name] = nullptr;
    auto module = compileFile(cmd);
    if (!module) return Verdict::fail("compile failed: " + module.error().describe());
    auto instance = linker_.instantiate(*module, instanceLimits());
    if (!instance) return Verdict::fail("instantiate failed: " + instance.error().describe());
    current_ = *instance;
    if (!name.empty()) named_[name] = current_;
    return Verdict::pass();
  }

  Verdict runRegister(const json &cmd) {
    std::string name = str(cmd, "name");
    std::shared_ptr<Instance> instance = findInstance(name);
    if (!instance) return Verdict::fail("no instance " + (name.empty() ? "(current)" : name));
    linker_.defineInstance(str(cmd, "as"), *instance);
    return Verdict::pass();
  }

  Limits instanceLimits() const {
    Limits limits;
    if (options_.metered) limits.fuel = uint64_t{1} << 50;
    return limits;
  }

  std::shared_ptr<Instance> findInstance(const std::string &name) const {
    if (name.empty()) return current_;
    auto it = named_.find(name);
    return it == named_.end() ? nullptr : it->second;
  }

  // The Error is for a broken script or misuse of the API; guest behaviour is in the Outcome.
  Result<Outcome> runAction(const json &action) {
    std::string module = str(action, "module");
    std::shared_ptr<Instance> instance = findInstance(module);
    if (!instance) {
      return makeError(ErrorCode::NotFound, kNoOffset,
                       "no instance " + (module.empty() ? "(current module failed)" : module));
    }
    std::string type = str(action, "type");
    std::string field = str(action, "field");
    if (type == "get") {
      auto value = instance->getGlobal(field);
      if (!value) return std::move(value).error();
      Outcome outcome;
      outcome.results.push_back(*value);
      return outcome;
    }
    if (type != "invoke")
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "unknown action " + type);
    std::vector<Value> args;
    if (action.contains("args") && action["args"].is_array()) {
      for (const json &arg : action["args"]) {
        auto v = parseArgument(arg);
        if (!v)
          return makeError(ErrorCode::InvalidArgument, kNoOffset, "bad argument " + arg.dump());
        args.push_back(*v);
      }
    }
    return instance->call(field, args);
  }

  Verdict runActionCommand(const json &cmd) {
    auto outcome = runAction(cmd["action"]);
    if (!outcome) return Verdict::fail("action error: " + outcome.error().describe());
    if (!outcome->returned())
      return Verdict::fail("expected return, got " + describeOutcome(*outcome));
    return Verdict::pass();
  }

  Verdict runAssertReturn(const json &cmd) {
    std::vector<ExpectedValue> expected;
    std::string expected_text = "(";
    if (cmd.contains("expected") && cmd["expected"].is_array()) {
      for (const json &e : cmd["expected"]) {
        auto parsed = parseExpected(e);
        if (!parsed) return Verdict::fail("cannot parse expected value " + e.dump());
        if (!expected.empty()) expected_text += ", ";
        expected_text += parsed->describe();
        expected.push_back(std::move(*parsed));
      }
    }
    expected_text += ")";
    auto outcome = runAction(cmd["action"]);
    if (!outcome) return Verdict::fail("action error: " + outcome.error().describe());
    if (!outcome->returned()) {
      return Verdict::fail("expected " + expected_text + ", got " + describeOutcome(*outcome));
    }
    bool same = outcome->results.size() == expected.size();
    for (size_t i = 0; same && i < expected.size(); ++i)
      same = expected[i].matches(outcome->results[i]);
    if (!same) {
      return Verdict::fail("expected " + expected_text + ", got " +
                           describeValues(outcome->results));
    }
    return Verdict::pass();
  }

  Verdict runAssertTrap(const json &cmd, bool exhaustion) {
    std::string text = str(cmd, "text");
    auto outcome = runAction(cmd["action"]);
    if (!outcome) return Verdict::fail("action error: " + outcome.error().describe());
    if (!outcome->trapped()) {
      return Verdict::fail("expected trap \"" + text + "\", got " + describeOutcome(*outcome));
    }
    TrapKind kind = outcome->trap.kind;
    if (exhaustion) {
      if (kind != TrapKind::StackExhausted)
        return Verdict::fail("expected StackExhausted, got " + describeOutcome(*outcome));
      return Verdict::pass();
    }
    if (!trapTextMatches(kind, text)) {
      ++progress_.trap_text_mismatches;
      std::string note =
          "trap text differs: expected \"" + text + "\", got " + describeOutcome(*outcome);
      if (options_.strict_traps) return Verdict::fail(note);
      return Verdict::pass(note);
    }
    return Verdict::pass();
  }

  Verdict runAssertInvalid(const json &cmd) {
    std::string text = str(cmd, "text");
    if (str(cmd, "module_type") == "text") return Verdict::skip("text module");
    auto module = compileFile(cmd);
    if (module) return Verdict::fail("expected invalid (\"" + text + "\"), but it compiled");
    const Error &error = module.error();
    if (!isValidationError(error.code)) {
      return Verdict::fail("expected a validation error (\"" + text + "\"), got " +
                           error.describe());
    }
    return Verdict::pass();
  }

  Verdict runAssertMalformed(const json &cmd) {
    std::string text = str(cmd, "text");
    if (str(cmd, "module_type") == "text") return Verdict::skip("text module");
    auto module = compileFile(cmd);
    if (module) return Verdict::fail("expected malformed (\"" + text + "\"), but it compiled");
    if (module.error().code == ErrorCode::Io) return Verdict::fail(module.error().describe());
    return Verdict::pass();
  }

  Verdict runAssertUnlinkable(const json &cmd) {
    std::string text = str(cmd, "text");
    auto module = compileFile(cmd);
    if (!module) return Verdict::fail("compile failed: " + module.error().describe());
    auto instance = linker_.instantiate(*module, instanceLimits());
    if (instance) return Verdict::fail("expected unlinkable (\"" + text + "\"), but it linked");
    ErrorCode code = instance.error().code;
    if (code != ErrorCode::UnknownImport && code != ErrorCode::IncompatibleImport) {
      return Verdict::fail("expected UnknownImport/IncompatibleImport (\"" + text + "\"), got " +
                           instance.error().describe());
    }
    return Verdict::pass();
  }

  Verdict runAssertUninstantiable(const json &cmd) {
    std::string text = str(cmd, "text");
    auto module = compileFile(cmd);
    if (!module) return Verdict::fail("compile failed: " + module.error().describe());
    auto instance = linker_.instantiate(*module, instanceLimits());
    if (instance) {
      return Verdict::fail("expected InstantiationTrap (\"" + text + "\"), but it instantiated");
    }
    if (instance.error().code != ErrorCode::InstantiationTrap) {
      return Verdict::fail("expected InstantiationTrap (\"" + text + "\"), got " +
                           instance.error().describe());
    }
    return Verdict::pass();
  }

  std::string dir_;
  const ScriptOptions &options_;
  ScriptProgress &progress_;
  Linker linker_;
  std::map<std::string, std::shared_ptr<Instance>> named_;
  std::shared_ptr<Instance> current_;
};

std::string parentDir(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

} // namespace

void runScript(const std::string &json_path, const ScriptOptions &options,
               ScriptProgress &progress) {
  auto doc = loadJson(json_path);
  if (!doc || !doc->contains("commands") || !(*doc)["commands"].is_array()) {
    ++progress.failed;
    std::printf("  cannot read script %s\n", json_path.c_str());
    return;
  }
  ScriptRunner runner(parentDir(json_path), options, progress);
  runner.run((*doc)["commands"]);
}

uint64_t countCommands(const std::string &json_path) {
  auto doc = loadJson(json_path);
  if (!doc || !doc->contains("commands") || !(*doc)["commands"].is_array()) return 0;
  return (*doc)["commands"].size();
}

} // namespace halter::spec
