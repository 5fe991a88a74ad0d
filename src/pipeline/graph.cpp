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
  // form); the first back edge closes the reported cycle.
  GraphInfo g = describeGraph(m);
  enum Color : uint8_t { kWhite, kGrey, kBlack };
  std::vector<Color> color(m.nodes.size(), kWhite);
  std::vector<size_t> path;
  std::function<bool(size_t)> visit = [&](size_t v) {
    color[v] = kGrey;
    path.push_back(v);
    for (size_t w : g.dependents[v]) {
      if (color[w] == kGrey) {
        std::string text = "Cyclic dependency detected: ";
        auto from = std::find(path.begin(), path.end(), w);
        for (auto it = from; it != path.end(); ++it) text += m.nodes[*it].id + " -> ";
        errors.push_back(text + m.nodes[w].id);
        return true;
      }
      if (color[w] == kWhite && visit(w)) return true;
    }
    path.pop_back();
    color[v] = kBlack;
    return false;
  };
  for (size_t v = 0; v < m.nodes.size(); ++v)
    if (color[v] == kWhite && visit(v)) break;
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
  // order adding each node whose dependencies are all in.
  std::vector<bool> added(n, false);
  for (size_t e : g.entry_points) {
    g.order.push_back(e);
    added[e] = true;
  }
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < n; ++i) {
      if (added[i]) continue;
      if (std::all_of(deps[i].begin(), deps[i].end(), [&](size_t d) { return added[d]; })) {
        g.order.push_back(i);
        added[i] = true;
        grew = true;
      }
    }
  }
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
