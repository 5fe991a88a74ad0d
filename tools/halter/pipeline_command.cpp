// halter pipeline run|check|graph MANIFEST.yaml
#include "commands.h"
#include "exit_status.h"
#include "pipeline_progress.h"

#include "halter/file_bytes.h"
#include "halter/pipeline.h"

#include <fmt/core.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace halter::cli {

namespace {

using namespace halter::pipeline;

Result<Manifest> loadManifest(const PipelineOptions &o) {
  ManifestOptions mo;
  mo.modules_relative_to_manifest = o.relative_to_manifest;
  mo.module_dir = o.module_dir;
  auto m = Manifest::load(o.manifest, mo);
  if (!m) return m;
  for (const std::string &w : m->warnings) fmt::print(stderr, "warning: {}\n", w);
  return m;
}

int manifestFailure(const PipelineOptions &o, const Error &e) {
  fmt::print(stderr, "error: {}: {}\n", o.manifest, e.message);
  return e.code == ErrorCode::Io ? kExitInvalid : kExitManifest;
}

std::string limitsText(const NodeSpec &n) {
  std::string out;
  if (n.fuel) out += " fuel=" + std::to_string(*n.fuel);
  if (n.timeout) out += " timeout=" + std::to_string(n.timeout->count() / 1000000) + "ms";
  if (n.max_memory_bytes) out += " max_memory=" + std::to_string(n.max_memory_bytes);
  if (n.retries) out += " retries=" + std::to_string(n.retries);
  return out.empty() ? " (no limits)" : out;
}

// Cancels the run on SIGINT (Ctrl-C): the handler only sets a flag that a
// watcher thread turns into RunControl::cancel.
// A pipeline's input is held in memory (and copied to each node): bounded.
constexpr uint64_t kMaxInputBytes = uint64_t{1} << 30;

// The input from stdin, bounded; a read error (stdin a directory) is one.
Result<std::string> readStdin() {
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return makeError(ErrorCode::Io, kNoOffset, std::string("stdin: ") + std::strerror(errno));
    if (n == 0) return text;
    if (text.size() + size_t(n) > kMaxInputBytes)
      return makeError(ErrorCode::ResourceLimit, kNoOffset,
                       "stdin: more than the limit of 1 GiB for a pipeline's input");
    text.append(buf, size_t(n));
  }
}

volatile std::sig_atomic_t g_interrupted = 0;
void onInterrupt(int) {
  g_interrupted = 1;
}

} // namespace

int pipelineCheckCommand(const PipelineOptions &o) {
  auto m = loadManifest(o);
  if (!m) return manifestFailure(o, m.error());
  auto p = Pipeline::create(*m);
  if (!p) return manifestFailure(o, p.error());
  GraphInfo g = describeGraph(*m);
  fmt::print("ok: {} processors, strategy {} ({}), failure_strategy {}, max_concurrency {}\n",
             m->nodes.size(), strategyName(m->strategy), m->strategy_spelling,
             failureStrategyName(m->failure),
             m->max_concurrency ? std::to_string(m->max_concurrency) : std::string("auto"));
  std::string entries;
  for (size_t e : g.entry_points) entries += " " + m->nodes[e].id;
  fmt::print("entry points:{}\n", entries);
  for (size_t l = 0; l < g.levels.size(); ++l) {
    std::string ids;
    for (size_t v : g.levels[l]) ids += " " + m->nodes[v].id;
    fmt::print("level {}:{}\n", l, ids);
  }
  for (const NodeSpec &n : m->nodes) {
    std::string what = n.kind == NodeKind::Local ? "local " + n.processor
                                                 : "wasm " + n.module + " abi " + abiName(n.abi);
    fmt::print("  {}: {}, {}{}\n", n.id, what,
               n.intent == Intent::Transform ? "transform" : "analyze", limitsText(n));
  }
  if (!g.order.empty()) fmt::print("final output: {}\n", m->nodes[g.order.back()].id);
  return kExitOk;
}

int pipelineGraphCommand(const PipelineOptions &o) {
  auto m = loadManifest(o);
  if (!m) return manifestFailure(o, m.error());
  fmt::print("{}", graphToDot(*m));
  return kExitOk;
}

int pipelineRunCommand(const PipelineOptions &o) {
  auto m = loadManifest(o);
  if (!m) return manifestFailure(o, m.error());
  if (!o.strategy.empty()) {
    if (o.strategy == "work_queue" || o.strategy == "hybrid")
      m->strategy = Strategy::WorkQueue;
    else if (o.strategy == "level")
      m->strategy = Strategy::Level;
    else if (o.strategy == "reactive")
      m->strategy = Strategy::Reactive;
    else {
      fmt::print(stderr, "error: --strategy {}: expected work_queue, level, reactive or hybrid\n",
                 o.strategy);
      return kExitUsage;
    }
  }
  std::string input;
  if (o.input) {
    input = *o.input;
  } else if (!o.input_file.empty()) {
    auto text = readFileText(o.input_file, kMaxInputBytes);
    if (!text) {
      fmt::print(stderr, "error: --input-file {}\n", text.error().message);
      return kExitUsage;
    }
    input = std::move(*text);
  } else {
    auto text = readStdin();
    if (!text) {
      fmt::print(stderr, "error: {}\n", text.error().message);
      return kExitUsage;
    }
    input = std::move(*text);
  }
  auto p = Pipeline::create(*m);
  if (!p) return manifestFailure(o, p.error());

  RunControl control;
  pipeline::RunOptions ro;
  ro.control = &control;
  ro.max_concurrency = o.max_concurrency;
  std::optional<ProgressView> progress;
  if (o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO))) {
    progress.emplace(*m, stderr);
    ro.on_event = [&progress](const NodeEvent &e) { progress->onEvent(e); };
  }
  std::signal(SIGINT, onInterrupt);
  std::signal(SIGPIPE, SIG_IGN);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    for (int tick = 0; !done; ++tick) {
      if (g_interrupted) control.cancel();
      if (progress && tick % 5 == 0) progress->draw(); // every 100 ms
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  RunReport report = (*p)->run(input, ro);
  done = true;
  watcher.join();
  if (progress) progress->clear();

  if (report.has_final_output) fmt::print("{}", report.final_output);
  std::fflush(stdout);
  fmt::print(stderr, "{}", report.summary());
  if (!o.report.empty()) {
    std::ofstream out(o.report, std::ios::binary);
    out << report.toJson();
    if (!out) {
      fmt::print(stderr, "error: cannot write --report {}\n", o.report);
      return kExitUsage;
    }
  }
  if (control.cancelled()) return kExitCancelled;
  return report.succeeded ? kExitOk : kExitPipelineFailed;
}

} // namespace halter::cli
