#include "pipeline/graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace halter::pipeline {

namespace {

std::map<std::string, size_t> indexById(const Manifest &m) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < m.nodes.size(); ++i) index.emplace(m.nodes[i].id, i); // first wins
  return index;
}

} // namespace

std::vector<std::vector<size_t>> dependencyIndices(const Manifest &m) {
  std::map<std::string, size_t> index = indexById(m);
  std::vector<std::vector<size_t>> deps(m.nodes.size());
  for (size_t i = 0; i < m.nodes.size(); ++i)
    for (const std::string &d : m.nodes[i].depends_on) {
      auto it = index.find(d);
      if (it != index.end() &&
          std::find(deps[i].begin(), deps[i].end(), it->second) == deps[i].end())
        deps[i].push_back(it->second);
    }
  return deps;
}

std::vector<std::string> validateGraph(const Manifest &m) {
  std::vector<std::string> errors;
  std::set<std::string> seen;
  for (const NodeSpec &n : m.nodes)
    if (!seen.insert(n.id).second) errors.push_back("Duplicate processor ID: '" + n.id + "'");
  for (const NodeSpec &n : m.nodes)
    for (const std::string &d : n.depends_on)
      if (!seen.count(d))
        errors.push_back("Processor '" + n.id + "' depends on '" + d + "' which does not exist");
  if (!errors.empty()) return errors;

  // DFS along dependency -> dependent edges, starting from each node in
  // manifest order (DAGwood starts in hash order; this is its deterministic
  // form); the first back edge closes the reported cycle. Iterative, so a
  // long chain cannot exhaust the stack.
  GraphInfo g = describeGraph(m);
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(m.nodes.size(), kWhite);
  std::vector<std::pair<size_t, size_t>> stack; // node, next dependent to look at
  for (size_t start = 0; start < m.nodes.size(); ++start) {
    if (color[start] != kWhite) continue;
    stack.push_back({start, 0});
    color[start] = kGrey;
    while (!stack.empty()) {
      auto &[v, next] = stack.back();
      if (next == g.dependents[v].size()) {
        color[v] = kBlack;
        stack.pop_back();
        continue;
      }
      size_t w = g.dependents[v][next++];
      if (color[w] == kGrey) {
        std::string text = "Cyclic dependency detected: ";
        auto from = std::find_if(stack.begin(), stack.end(),
                                 [&](const std::pair<size_t, size_t> &e) { return e.first == w; });
        for (auto it = from; it != stack.end(); ++it) text += m.nodes[it->first].id + " -> ";
        errors.push_back(text + m.nodes[w].id);
        return errors;
      }
      if (color[w] == kWhite) {
        color[w] = kGrey;
        stack.push_back({w, 0});
      }
    }
  }
  return errors;
}

GraphInfo describeGraph(const Manifest &m) {
  const size_t n = m.nodes.size();
  GraphInfo g;
  g.dependents.resize(n);
  std::vector<std::vector<size_t>> deps = dependencyIndices(m);
  for (size_t i = 0; i < n; ++i) {
    for (size_t d : deps[i]) g.dependents[d].push_back(i); // i ascends: manifest order
    if (m.nodes[i].depends_on.empty()) g.entry_points.push_back(i);
  }
  // Print order (dagwood-compat §3.8): entries, then passes over manifest
  // order adding each node whose dependencies are all in. A node joins in
  // the pass after its last dependency's, or in the same pass when that
  // dependency comes earlier in manifest order; computed per node in a
  // Kahn order, then sorted, instead of repeating the passes.
  std::vector<size_t> pass(n, 0), waiting(n);
  std::vector<size_t> queue;
  for (size_t i = 0; i < n; ++i) {
    waiting[i] = deps[i].size();
    if (waiting[i] == 0) queue.push_back(i);
  }
  std::vector<bool> placed(n, false);
  for (size_t q = 0; q < queue.size(); ++q) {
    size_t v = queue[q];
    placed[v] = true;
    if (!deps[v].empty()) {
      size_t p = 1;
      for (size_t d : deps[v]) p = std::max(p, pass[d] == 0 ? 1 : (d < v ? pass[d] : pass[d] + 1));
      pass[v] = p;
    }
    for (size_t w : g.dependents[v])
      if (--waiting[w] == 0) queue.push_back(w);
  }
  g.order = g.entry_points;
  std::vector<size_t> rest;
  for (size_t i = 0; i < n; ++i)
    if (placed[i] && !deps[i].empty()) rest.push_back(i);
  std::sort(rest.begin(), rest.end(),
            [&](size_t a, size_t b) { return pass[a] != pass[b] ? pass[a] < pass[b] : a < b; });
  g.order.insert(g.order.end(), rest.begin(), rest.end());
  // Levels by longest path from an entry (Kahn by depth).
  std::vector<size_t> depth(n, 0);
  for (size_t i : g.order)
    for (size_t d : deps[i]) depth[i] = std::max(depth[i], depth[d] + 1);
  for (size_t i : g.order) {
    if (g.levels.size() <= depth[i]) g.levels.resize(depth[i] + 1);
    g.levels[depth[i]].push_back(i);
  }
  for (auto &level : g.levels) std::sort(level.begin(), level.end());
  return g;
}

namespace {

std::string dotQuote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace

std::string graphToDot(const Manifest &m) {
  GraphInfo g = describeGraph(m);
  std::string out = "digraph pipeline {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans\"];\n";
  for (const NodeSpec &n : m.nodes) {
    std::string label =
        n.id + "\n" + (n.kind == NodeKind::Local ? n.processor : "wasm: " + n.module);
    if (n.intent == Intent::Analyze) label += "\n(analyze)";
    std::string quoted = dotQuote(n.id);
    out += "  " + quoted + " [label=" + dotQuote(label) + "];\n";
  }
  for (size_t i = 0; i < m.nodes.size(); ++i)
    for (size_t d : g.dependents[i])
      out += "  " + dotQuote(m.nodes[i].id) + " -> " + dotQuote(m.nodes[d].id) + ";\n";
  return out + "}\n";
}

} // namespace halter::pipeline
