// The graph of a manifest against plain reference implementations on
// generated DAGs (random shapes, random manifest orders), and the bounds
// that keep a hostile manifest from exhausting the stack or the clock.
#include "halter/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace halter::pipeline {
namespace {

// DAGwood's print order as it computes it: entries, then whole passes over
// manifest order (dagwood-compat §3.8).
std::vector<size_t> referenceOrder(const std::vector<std::vector<size_t>> &deps) {
  const size_t n = deps.size();
  std::vector<size_t> order;
  std::vector<bool> added(n, false);
  for (size_t i = 0; i < n; ++i)
    if (deps[i].empty()) {
      order.push_back(i);
      added[i] = true;
    }
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < n; ++i)
      if (!added[i] &&
          std::all_of(deps[i].begin(), deps[i].end(), [&](size_t d) { return added[d]; })) {
        order.push_back(i);
        added[i] = true;
        grew = true;
      }
  }
  return order;
}

TEST(Graph, PrintOrderMatchesDagwoodsPassesOnGeneratedDags) {
  std::mt19937 rng(31);
  for (int round = 0; round < 300; ++round) {
    const size_t n = 1 + rng() % 40;
    // A random DAG over a random permutation: edges go from earlier to later
    // in the permutation, so the manifest order is arbitrary.
    std::vector<size_t> perm(n);
    for (size_t i = 0; i < n; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<std::vector<size_t>> deps(n);
    for (size_t a = 0; a < n; ++a)
      for (size_t b = 0; b < a; ++b)
        if (rng() % 4 == 0) deps[perm[a]].push_back(perm[b]);
    Manifest m;
    for (size_t i = 0; i < n; ++i) {
      NodeSpec node;
      node.id = "n" + std::to_string(i);
      node.processor = "reverse_text";
      for (size_t d : deps[i]) node.depends_on.push_back("n" + std::to_string(d));
      m.nodes.push_back(node);
    }
    EXPECT_EQ(describeGraph(m).order, referenceOrder(deps)) << "round " << round;
  }
}

std::string chainDeclaredBackwards(size_t n) {
  std::string y = "strategy: level\nprocessors:\n";
  for (size_t i = n; i-- > 0;) {
    y += "  - {id: n" + std::to_string(i) + ", type: local, processor: reverse_text";
    if (i > 0) y += ", depends_on: [n" + std::to_string(i - 1) + "]";
    y += "}\n";
  }
  return y;
}

TEST(Graph, LongChainsAndCyclesNeedNoDeepStackNorQuadraticTime) {
  auto started = std::chrono::steady_clock::now();
  auto m = Manifest::parse(chainDeclaredBackwards(10000), "long.yaml");
  ASSERT_TRUE(m.ok()) << m.error().message;
  GraphInfo g = describeGraph(*m);
  ASSERT_EQ(g.order.size(), 10000u);
  EXPECT_EQ(m->nodes[g.order.back()].id, "n9999");
  EXPECT_EQ(g.levels.size(), 10000u);
  // A cycle through all of them: the DFS is iterative.
  std::string cyclic = chainDeclaredBackwards(10000);
  cyclic.replace(cyclic.find("{id: n0, type: local, processor: reverse_text}"),
                 std::string("{id: n0, type: local, processor: reverse_text}").size(),
                 "{id: n0, type: local, processor: reverse_text, depends_on: [n9999]}");
  auto c = Manifest::parse(cyclic, "cycle.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(
      c.error().message.rfind(
          "Configuration validation failed:\nCyclic dependency detected: n9999 -> n0 -> n1 -> ", 0),
      0u)
      << c.error().message.substr(0, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(Manifest, HostileSizesAreRefused) {
  auto deep = Manifest::parse("strategy: level\nprocessors: " + std::string(1000, '[') +
                                  std::string(1000, ']') + "\n",
                              "deep.yaml");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message, "line 2: nested more than 64 levels deep");
  std::string indented = "strategy: level\nprocessors:\n";
  for (int i = 0; i < 300; ++i) indented += std::string(size_t(i), ' ') + "- x\n";
  auto wide = Manifest::parse(indented, "indent.yaml");
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.error().message.find("indented more than 256 columns"), std::string::npos);
  auto big = Manifest::parse(std::string(kMaxManifestBytes + 1, '#'), "big.yaml");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("at most 4194304 are read"), std::string::npos);
  std::string many = "strategy: level\nprocessors:\n";
  for (size_t i = 0; i <= kMaxProcessors; ++i)
    many += "  - {id: n" + std::to_string(i) + ", type: local, processor: reverse_text}\n";
  auto lots = Manifest::parse(many, "many.yaml");
  ASSERT_FALSE(lots.ok());
  EXPECT_EQ(lots.error().message, "processors: 10001 processors; at most 10000");
}

} // namespace
} // namespace halter::pipeline
