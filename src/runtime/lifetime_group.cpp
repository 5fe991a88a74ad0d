#include "runtime/lifetime_group.h"

#include "runtime/instance.h"

#include <mutex>
#include <utility>

namespace halter::rt {

namespace {
std::mutex &groupMutex() {
  static std::mutex mutex;
  return mutex;
}
} // namespace

std::shared_ptr<LifetimeGroup> LifetimeGroup::create() {
  return std::make_shared<LifetimeGroup>();
}

std::shared_ptr<LifetimeGroup> LifetimeGroup::rootLocked() {
  std::shared_ptr<LifetimeGroup> root = shared_from_this();
  while (root->forward_) root = root->forward_;
  // Path compression: later lookups from here take one step. A forwarder
  // released on the way only drops its reference to `root`.
  std::shared_ptr<LifetimeGroup> cur = shared_from_this();
  while (cur->forward_ && cur->forward_ != root) {
    std::shared_ptr<LifetimeGroup> next = std::move(cur->forward_);
    cur->forward_ = root;
    cur = std::move(next);
  }
  return root;
}

std::shared_ptr<LifetimeGroup> LifetimeGroup::root() {
  std::lock_guard lock(groupMutex());
  return rootLocked();
}

void LifetimeGroup::addInstance(std::shared_ptr<Instance> instance) {
  std::lock_guard lock(groupMutex());
  std::shared_ptr<LifetimeGroup> root = rootLocked();
  instance->group = root;
  root->instances_.push_back(std::move(instance));
}

void LifetimeGroup::addObject(std::shared_ptr<void> object) {
  std::lock_guard lock(groupMutex());
  rootLocked()->objects_.push_back(std::move(object));
}

std::shared_ptr<LifetimeGroup> LifetimeGroup::merge(const std::shared_ptr<LifetimeGroup> &a,
                                                    const std::shared_ptr<LifetimeGroup> &b) {
  std::lock_guard lock(groupMutex());
  std::shared_ptr<LifetimeGroup> big = a->rootLocked();
  std::shared_ptr<LifetimeGroup> small = b->rootLocked();
  if (big == small) return big;
  if (big->instances_.size() + big->objects_.size() <
      small->instances_.size() + small->objects_.size()) {
    std::swap(big, small);
  }
  for (std::shared_ptr<Instance> &inst : small->instances_) {
    inst->group = big;
    big->instances_.push_back(std::move(inst));
  }
  for (std::shared_ptr<void> &obj : small->objects_) big->objects_.push_back(std::move(obj));
  small->instances_.clear();
  small->objects_.clear();
  small->forward_ = big;
  return big;
}

size_t LifetimeGroup::memberCount() {
  std::lock_guard lock(groupMutex());
  std::shared_ptr<LifetimeGroup> root = rootLocked();
  return root->instances_.size() + root->objects_.size();
}

std::shared_ptr<LifetimeGroup> groupOf(const Instance &instance) {
  std::lock_guard lock(groupMutex());
  return instance.group.lock();
}

} // namespace halter::rt
