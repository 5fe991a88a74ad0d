#include "runtime/instance.h"
#include "runtime/lifetime_group.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace halter::rt {
namespace {

TEST(LifetimeGroup, MergeMovesTheSmallerIntoTheLarger) {
  auto big = LifetimeGroup::create();
  auto small = LifetimeGroup::create();
  auto a = std::make_shared<Instance>();
  auto b = std::make_shared<Instance>();
  big->addInstance(a);
  big->addObject(std::make_shared<int>(1));
  small->addInstance(b);
  EXPECT_EQ(groupOf(*b), small);

  auto merged = LifetimeGroup::merge(small, big);
  EXPECT_EQ(merged, big) << "the smaller group is emptied whatever the argument order";
  EXPECT_EQ(small->root(), big);
  EXPECT_EQ(groupOf(*a), big);
  EXPECT_EQ(groupOf(*b), big) << "moved instances record their new group";
  EXPECT_EQ(small->memberCount(), 3u);
  EXPECT_EQ(LifetimeGroup::merge(big, small), big) << "merging a group with itself is a no-op";
  EXPECT_EQ(big->memberCount(), 3u);
}

TEST(LifetimeGroup, AHandleToAnEmptiedGroupKeepsTheMergedOneAlive) {
  auto a = std::make_shared<int>(1);
  auto b = std::make_shared<int>(2);
  std::weak_ptr<int> wa = a, wb = b;
  auto ga = LifetimeGroup::create();
  auto gb = LifetimeGroup::create();
  ga->addObject(std::move(a));
  ga->addObject(std::make_shared<int>(3));
  gb->addObject(std::move(b));
  std::weak_ptr<LifetimeGroup> weak_ga = ga;
  LifetimeGroup::merge(ga, gb);

  ga.reset(); // the root; only the forward from gb keeps it now
  EXPECT_FALSE(weak_ga.expired());
  EXPECT_FALSE(wa.expired());
  EXPECT_FALSE(wb.expired());
  gb.reset();
  EXPECT_TRUE(weak_ga.expired());
  EXPECT_TRUE(wa.expired());
  EXPECT_TRUE(wb.expired());
}

TEST(LifetimeGroup, RootFollowsChainsOfForwards) {
  // Build a chain g0 -> g1 -> g2 -> g3 by merging each into a larger group.
  std::vector<std::shared_ptr<LifetimeGroup>> groups;
  std::vector<std::weak_ptr<LifetimeGroup>> weak;
  for (int i = 0; i < 4; ++i) {
    groups.push_back(LifetimeGroup::create());
    weak.push_back(groups.back());
    for (int k = 0; k < (1 << (i + 1)); ++k) groups.back()->addObject(std::make_shared<int>(k));
  }
  for (int i = 0; i < 3; ++i) LifetimeGroup::merge(groups[i], groups[i + 1]);
  for (const auto &g : groups) EXPECT_EQ(g->root(), groups[3]);
  EXPECT_EQ(groups[0]->memberCount(), 2u + 4 + 8 + 16);
  // Only g0 is still held: it keeps the rest alive (compressed or not).
  std::shared_ptr<LifetimeGroup> g0 = groups[0];
  groups.clear();
  EXPECT_FALSE(weak[3].expired());
  EXPECT_EQ(g0->root(), weak[3].lock());
  g0.reset();
  for (const auto &w : weak) EXPECT_TRUE(w.expired());
}

TEST(LifetimeGroup, ConcurrentMergesIntoASharedGroup) {
  auto shared = LifetimeGroup::create();
  shared->addObject(std::make_shared<int>(0));
  shared->addObject(std::make_shared<int>(1)); // larger than any new group: it stays the root
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  std::vector<std::vector<std::shared_ptr<LifetimeGroup>>> made(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto g = LifetimeGroup::create();
        auto inst = std::make_shared<Instance>();
        g->addInstance(inst);
        LifetimeGroup::merge(g, shared);
        if (groupOf(*inst) != shared) ADD_FAILURE() << "instance not in the merged group";
        made[t].push_back(std::move(g));
      }
    });
  }
  for (std::thread &th : threads) th.join();
  EXPECT_EQ(shared->memberCount(), 2u + kThreads * kPerThread);
  for (const auto &list : made) {
    for (const auto &g : list) EXPECT_EQ(g->root(), shared);
  }
}

} // namespace
} // namespace halter::rt
