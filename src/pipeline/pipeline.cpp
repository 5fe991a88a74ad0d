// The executors. All three strategies share one rule for what a node
// reads, so they give the same results: a node runs only when every
// dependency has finished, and its input is the output of the last
// successful transform, in print order, among its ancestors (the pipeline
// input when there is none). The strategies differ only in which ready
// node starts next: work_queue by DAGwood's rank (highest first), level one
// depth level at a time, reactive in the order nodes became ready.
#include "halter/pipeline.h"

#include "pipeline/graph.h"
#include "pipeline/node_runner.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace halter::pipeline {

struct RunControl::State {
  std::mutex lock;
  bool all = false;
  std::set<std::string> nodes;
  std::map<std::string, CancelToken> running;

  // A token for one attempt of `id`, cancelled already when asked for.
  CancelToken begin(const std::string &id) {
    CancelToken t = CancelToken::create();
    std::lock_guard<std::mutex> g(lock);
    if (all || nodes.count(id)) t.cancel();
    running[id] = t;
    return t;
  }
  void end(const std::string &id) {
    std::lock_guard<std::mutex> g(lock);
    running.erase(id);
  }
  bool stopped(const std::string &id) {
    std::lock_guard<std::mutex> g(lock);
    return all || nodes.count(id);
  }
  bool allStopped() {
    std::lock_guard<std::mutex> g(lock);
    return all;
  }
  void cancelRunning() {
    std::lock_guard<std::mutex> g(lock);
    for (auto &[id, t] : running) t.cancel();
  }
};

RunControl::RunControl() : state_(std::make_unique<State>()) {}
RunControl::~RunControl() = default;

void RunControl::cancel() {
  std::lock_guard<std::mutex> g(state_->lock);
  state_->all = true;
  for (auto &[id, t] : state_->running) t.cancel();
}

void RunControl::cancelNode(const std::string &id) {
  std::lock_guard<std::mutex> g(state_->lock);
  state_->nodes.insert(id);
  auto it = state_->running.find(id);
  if (it != state_->running.end()) it->second.cancel();
}

bool RunControl::cancelled() const {
  return state_->allStopped();
}

const char *nodeOutcomeName(NodeOutcome o) {
  switch (o) {
  case NodeOutcome::Returned:
    return "returned";
  case NodeOutcome::Failed:
    return "failed";
  case NodeOutcome::Trapped:
    return "trapped";
  case NodeOutcome::OutOfFuel:
    return "out_of_fuel";
  case NodeOutcome::Deadline:
    return "deadline";
  case NodeOutcome::Cancelled:
    return "cancelled";
  case NodeOutcome::Skipped:
    return "skipped";
  }
  return "?";
}

struct Pipeline::State {
  Manifest manifest;
  GraphInfo graph;
  std::vector<std::vector<size_t>> deps;
  std::vector<size_t> print_pos;
  std::vector<size_t> rank; // DAGwood's work-queue rank
  std::vector<size_t> depth;
  std::vector<std::unique_ptr<NodeRunner>> runners;
};

namespace {

// DAGwood's rank: the position in a Kahn sort whose ready set is a stack
// (dagwood-compat §3.4), entries pushed in manifest order.
std::vector<size_t> lifoRanks(const GraphInfo &g, const std::vector<std::vector<size_t>> &deps) {
  const size_t n = deps.size();
  std::vector<size_t> count(n), rank(n, 0);
  for (size_t i = 0; i < n; ++i) count[i] = deps[i].size();
  std::vector<size_t> stack(g.entry_points.begin(), g.entry_points.end());
  size_t next = 0;
  while (!stack.empty()) {
    size_t v = stack.back();
    stack.pop_back();
    rank[v] = next++;
    for (size_t d : g.dependents[v])
      if (--count[d] == 0) stack.push_back(d);
  }
  return rank;
}

bool failedOutcome(NodeOutcome o) {
  return o != NodeOutcome::Returned && o != NodeOutcome::Skipped;
}

// One run's shared state, guarded by `lock`.
class Run {
public:
  Run(const Pipeline::State &p, std::string_view input, const RunOptions &options,
      RunControl::State *control)
      : p_(p), input_(input), control_(control), on_event_(options.on_event) {
    const Manifest &m = p.manifest;
    strategy_ = options.strategy.value_or(m.strategy);
    workers_ = options.max_concurrency ? options.max_concurrency : m.max_concurrency;
    if (workers_ == 0) workers_ = std::max(1u, std::thread::hardware_concurrency());
    const size_t n = m.nodes.size();
    reports_.resize(n);
    resolved_.assign(n, false);
    best_.assign(n, std::nullopt);
    unresolved_ = n;
    started_.assign(n, false);
    pending_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      reports_[i].id = m.nodes[i].id;
      pending_[i] = p.deps[i].size();
    }
    if (strategy_ == Strategy::Level) {
      openLevel(0);
    } else {
      for (size_t e : p.graph.entry_points) makeReady(e);
    }
  }

  void work() {
    std::unique_lock<std::mutex> g(lock_);
    for (;;) {
      if (unresolved() == 0) break;
      if (control_ && control_->allStopped() && !stopping_) stopAll("the run was cancelled");
      std::optional<size_t> next = stopping_ ? std::nullopt : popReady();
      if (!next) {
        if (running_ == 0) {
          // Nothing runs and nothing can start (the run stopped): what is
          // left is skipped.
          stopAll(stop_reason_.empty() ? "the run stopped" : stop_reason_);
          break;
        }
        cv_.wait(g);
        continue;
      }
      size_t v = *next;
      started_[v] = true;
      ++running_;
      notify(NodeEvent::Kind::Started, v);
      std::string input = inputFor(v);
      g.unlock();
      NodeReport r = runNode(v, input);
      g.lock();
      --running_;
      finish(v, std::move(r));
      cv_.notify_all();
    }
    cv_.notify_all();
  }

  unsigned workers() const { return workers_; }
  Strategy strategy() const { return strategy_; }
  std::vector<NodeReport> reports() { return std::move(reports_); }

private:
  size_t unresolved() const { return unresolved_; }

  // Under the lock: v is done (run, skipped or cancelled before it ran).
  void resolve(size_t v) {
    resolved_[v] = true;
    --unresolved_;
  }

  // Under the lock, so events never overlap and arrive in order.
  void notify(NodeEvent::Kind kind, size_t v) const {
    if (!on_event_) return;
    NodeEvent e;
    e.kind = kind;
    e.node = v;
    if (kind == NodeEvent::Kind::Finished) e.report = &reports_[v];
    on_event_(e);
  }

  void makeReady(size_t v) {
    if (resolved_[v] || started_[v]) return;
    ready_.push_back(v);
  }

  void openLevel(size_t level) {
    level_ = level;
    if (level >= p_.graph.levels.size()) return;
    level_left_ = 0;
    for (size_t v : p_.graph.levels[level])
      if (!resolved_[v]) {
        makeReady(v);
        ++level_left_;
      }
    if (level_left_ == 0) openLevel(level + 1);
  }

  std::optional<size_t> popReady() {
    if (ready_.empty()) return std::nullopt;
    auto pick = ready_.begin();
    if (strategy_ == Strategy::WorkQueue)
      pick = std::max_element(ready_.begin(), ready_.end(),
                              [&](size_t a, size_t b) { return p_.rank[a] < p_.rank[b]; });
    size_t v = *pick;
    ready_.erase(pick);
    return v;
  }

  // The output of the last successful transform among v's ancestors, in
  // print order; the pipeline input when there is none. Each finished node
  // keeps that transform for its own dependents (best_), so this looks at
  // v's direct dependencies only.
  std::string inputFor(size_t v) const {
    std::optional<size_t> best;
    for (size_t d : p_.deps[v]) {
      std::optional<size_t> candidate = succeededTransform(d) ? std::optional<size_t>(d) : best_[d];
      if (candidate && (!best || p_.print_pos[*candidate] > p_.print_pos[*best])) best = candidate;
    }
    return best ? reports_[*best].output : std::string(input_);
  }

  bool succeededTransform(size_t v) const {
    return reports_[v].outcome == NodeOutcome::Returned &&
           p_.manifest.nodes[v].intent == Intent::Transform;
  }

  // Under the lock, once v has finished: the latest successful transform
  // among v's ancestors (v itself counts for its dependents in inputFor).
  void noteBest(size_t v) {
    std::optional<size_t> best;
    for (size_t d : p_.deps[v]) {
      std::optional<size_t> candidate = succeededTransform(d) ? std::optional<size_t>(d) : best_[d];
      if (candidate && (!best || p_.print_pos[*candidate] > p_.print_pos[*best])) best = candidate;
    }
    best_[v] = best;
  }

  NodeReport runNode(size_t v, const std::string &input) {
    const NodeSpec &node = p_.manifest.nodes[v];
    NodeReport r;
    r.id = node.id;
    const Clock::time_point started = Clock::now();
    for (unsigned attempt = 0; attempt <= node.retries; ++attempt) {
      if (attempt > 0 && !waitBackoff(node, attempt)) break;
      if (control_ && control_->stopped(node.id)) {
        r.outcome = NodeOutcome::Cancelled;
        r.message = "cancelled before it started";
        break;
      }
      Limits limits;
      limits.fuel = node.kind == NodeKind::Wasm ? node.fuel : std::nullopt;
      if (node.timeout) limits.deadline = Clock::now() + *node.timeout;
      limits.max_memory_bytes = node.max_memory_bytes;
      CancelToken token = control_ ? control_->begin(node.id) : CancelToken::create();
      {
        std::lock_guard<std::mutex> g(tokens_lock_);
        tokens_[v] = token;
      }
      Attempt a = p_.runners[v]->run(input, limits, token);
      {
        std::lock_guard<std::mutex> g(tokens_lock_);
        tokens_.erase(v);
      }
      if (control_) control_->end(node.id);
      ++r.attempts;
      r.outcome = a.outcome;
      r.message = std::move(a.message);
      r.output = std::move(a.output);
      r.metadata = std::move(a.metadata);
      r.fuel_used += a.fuel_used;
      r.peak_memory_bytes = std::max(r.peak_memory_bytes, a.peak_memory_bytes);
      if (r.outcome == NodeOutcome::Returned || r.outcome == NodeOutcome::Cancelled) break;
    }
    r.wall = Clock::now() - started;
    return r;
  }

  // Sleeps the backoff before retry `attempt` (1-based), doubling each time;
  // false when the run or the node was cancelled meanwhile.
  bool waitBackoff(const NodeSpec &node, unsigned attempt) {
    auto wait = node.backoff * (int64_t(1) << std::min(attempt - 1, 20u));
    Clock::time_point until = Clock::now() + wait;
    while (Clock::now() < until) {
      if (control_ && control_->stopped(node.id)) return false;
      {
        std::lock_guard<std::mutex> g(lock_);
        if (stopping_) return false;
      }
      std::this_thread::sleep_for(
          std::min<Clock::duration>(until - Clock::now(), std::chrono::milliseconds(5)));
    }
    return true;
  }

  // Under the lock: a node's report is in; release or skip its dependents.
  void finish(size_t v, NodeReport r) {
    const bool failed = failedOutcome(r.outcome);
    reports_[v] = std::move(r);
    resolve(v);
    noteBest(v);
    notify(NodeEvent::Kind::Finished, v);
    if (failed) {
      if (p_.manifest.failure == FailureStrategy::FailFast) {
        stopAll("the run stopped: '" + reports_[v].id + "' " +
                nodeOutcomeName(reports_[v].outcome));
      } else {
        skipDescendants(v, "dependency '" + reports_[v].id + "' " +
                               nodeOutcomeName(reports_[v].outcome));
      }
    }
    for (size_t d : p_.graph.dependents[v])
      if (--pending_[d] == 0 && strategy_ != Strategy::Level) makeReady(d);
    if (strategy_ == Strategy::Level) {
      if (--level_left_ == 0) openLevel(level_ + 1);
    }
  }

  void skipDescendants(size_t v, const std::string &why) {
    for (size_t d : p_.graph.dependents[v]) {
      if (resolved_[d] || started_[d]) continue;
      resolve(d);
      reports_[d].outcome = NodeOutcome::Skipped;
      reports_[d].message = why;
      notify(NodeEvent::Kind::Finished, d);
      ready_.erase(std::remove(ready_.begin(), ready_.end(), d), ready_.end());
      if (strategy_ == Strategy::Level && p_.depth[d] == level_) --level_left_;
      skipDescendants(d, why);
    }
  }

  // Under the lock: nothing more starts; running nodes are cancelled.
  void stopAll(const std::string &why) {
    stopping_ = true;
    if (stop_reason_.empty()) stop_reason_ = why;
    for (size_t i = 0; i < resolved_.size(); ++i) {
      if (resolved_[i] || started_[i]) continue;
      resolve(i);
      reports_[i].outcome = NodeOutcome::Skipped;
      reports_[i].message = stop_reason_;
      notify(NodeEvent::Kind::Finished, i);
    }
    ready_.clear();
    std::lock_guard<std::mutex> g(tokens_lock_);
    for (auto &[node, t] : tokens_) t.cancel();
  }

  const Pipeline::State &p_;
  std::string_view input_;
  RunControl::State *control_;
  const std::function<void(const NodeEvent &)> &on_event_;
  Strategy strategy_;
  unsigned workers_;

  std::mutex lock_;
  std::condition_variable cv_;
  std::vector<NodeReport> reports_;
  std::vector<bool> resolved_, started_;
  std::vector<size_t> pending_;
  std::vector<std::optional<size_t>> best_; // see noteBest
  size_t unresolved_ = 0;
  std::deque<size_t> ready_;
  size_t running_ = 0;
  size_t level_ = 0, level_left_ = 0;
  bool stopping_ = false;
  std::string stop_reason_;

  std::mutex tokens_lock_; // below lock_: never take lock_ while holding it
  std::map<size_t, CancelToken> tokens_;
};

std::string hostnameOrUnknown() {
  const char *h = std::getenv("HOSTNAME");
  return h && *h ? h : "unknown";
}

} // namespace

Pipeline::Pipeline(std::unique_ptr<State> state) : state_(std::move(state)) {}
Pipeline::~Pipeline() = default;

const Manifest &Pipeline::manifest() const {
  return state_->manifest;
}

Result<std::unique_ptr<Pipeline>> Pipeline::create(Manifest manifest) {
  auto s = std::make_unique<State>();
  // Processors are built in manifest order; the first failure wins (as in
  // DAGwood's runtime build).
  ModuleCache modules;
  for (const NodeSpec &node : manifest.nodes) {
    HALTER_ASSIGN_OR_RETURN(std::unique_ptr<NodeRunner> r, makeRunner(node, modules));
    s->runners.push_back(std::move(r));
  }
  s->graph = describeGraph(manifest);
  s->deps = dependencyIndices(manifest);
  s->print_pos.resize(manifest.nodes.size());
  for (size_t i = 0; i < s->graph.order.size(); ++i) s->print_pos[s->graph.order[i]] = i;
  s->rank = lifoRanks(s->graph, s->deps);
  s->depth.resize(manifest.nodes.size());
  for (size_t l = 0; l < s->graph.levels.size(); ++l)
    for (size_t v : s->graph.levels[l]) s->depth[v] = l;
  s->manifest = std::move(manifest);
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(s)));
}

RunReport Pipeline::run(std::string_view input, const RunOptions &options) {
  const Clock::time_point started = Clock::now();
  const State &p = *state_;
  Run run(p, input, options, options.control ? options.control->state_.get() : nullptr);
  {
    std::vector<std::thread> threads;
    unsigned extra = std::min<unsigned>(run.workers(), unsigned(p.manifest.nodes.size())) - 1;
    if (p.manifest.nodes.empty()) extra = 0;
    // Out of threads: the ones started (at least this one) do all the work.
    try {
      for (unsigned i = 0; i < extra; ++i) threads.emplace_back([&run] { run.work(); });
    } catch (const std::system_error &) {
    }
    run.work();
    for (std::thread &t : threads) t.join();
  }
  RunReport report;
  report.strategy = strategyName(run.strategy());
  report.nodes = run.reports();
  report.metadata["initial_context"] = {
      {"config_file", p.manifest.path},
      {"hostname", options.hostname ? *options.hostname : hostnameOrUnknown()},
      {"input_text", std::string(input)}};
  for (size_t v : p.graph.order) {
    const NodeReport &r = report.nodes[v];
    if (r.outcome != NodeOutcome::Returned) continue;
    for (const auto &[name, values] : r.metadata) {
      // Usually a name no node used before: one copy of its map.
      auto [it, fresh] = report.metadata.try_emplace(name, values);
      if (!fresh)
        for (const auto &[k, val] : values) it->second[k] = val;
    }
  }
  bool all_returned =
      std::all_of(report.nodes.begin(), report.nodes.end(),
                  [](const NodeReport &r) { return r.outcome == NodeOutcome::Returned; });
  if (!p.graph.order.empty()) {
    const NodeReport &last = report.nodes[p.graph.order.back()];
    report.has_final_output = last.outcome == NodeOutcome::Returned;
    if (report.has_final_output) report.final_output = last.output;
  }
  report.succeeded = p.manifest.failure == FailureStrategy::BestEffort
                         ? (p.graph.order.empty() || report.has_final_output)
                         : all_returned;
  if (options.control && options.control->cancelled()) report.succeeded = false;
  report.wall = Clock::now() - started;
  return report;
}

} // namespace halter::pipeline
