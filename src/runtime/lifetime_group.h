// Lifetime groups: funcrefs are raw rt::Function pointers, so an instance
// must outlive every table or global that may hold its functions. Instances
// that can exchange references share one group, which owns them all; handles
// keep a group alive, never a single instance, so no shared_ptr cycle forms
// (instance -> imported table -> instance) and a group is freed whole when
// its last handle goes.
//
// Groups merge (union by size): the smaller group's members move to the larger
// and the emptied group keeps a forwarding pointer, so handles to it keep the
// merged group alive. One process-wide mutex guards merges and membership;
// instantiation is not a hot path.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace halter::rt {

class Instance;

class LifetimeGroup : public std::enable_shared_from_this<LifetimeGroup> {
public:
  static std::shared_ptr<LifetimeGroup> create();

  // The group now holding this group's members (follows forwards).
  std::shared_ptr<LifetimeGroup> root();
  // Adds an instance (recording the group in it) or another object to keep alive.
  void addInstance(std::shared_ptr<Instance> instance);
  void addObject(std::shared_ptr<void> object);
  // Merges the groups of `a` and `b`; returns the merged root.
  static std::shared_ptr<LifetimeGroup> merge(const std::shared_ptr<LifetimeGroup> &a,
                                              const std::shared_ptr<LifetimeGroup> &b);
  // Instances and objects held by the root of this group.
  size_t memberCount();

private:
  std::shared_ptr<LifetimeGroup> rootLocked();

  std::vector<std::shared_ptr<Instance>> instances_;
  std::vector<std::shared_ptr<void>> objects_;
  std::shared_ptr<LifetimeGroup> forward_; // set once emptied by a merge
};

// The current (root) group of a live instance.
std::shared_ptr<LifetimeGroup> groupOf(const Instance &instance);

} // namespace halter::rt
