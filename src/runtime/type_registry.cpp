#include "runtime/type_registry.h"

#include <memory>
#include <mutex>
#include <set>
#include <tuple>

namespace halter::rt {

namespace {

struct TypeLess {
  using is_transparent = void;
  static bool less(const FuncType &a, const FuncType &b) {
    return std::tie(a.params, a.results) < std::tie(b.params, b.results);
  }
  bool operator()(const std::unique_ptr<FuncType> &a, const std::unique_ptr<FuncType> &b) const {
    return less(*a, *b);
  }
  bool operator()(const std::unique_ptr<FuncType> &a, const FuncType &b) const {
    return less(*a, b);
  }
  bool operator()(const FuncType &a, const std::unique_ptr<FuncType> &b) const {
    return less(a, *b);
  }
};

struct Registry {
  std::mutex mutex;
  std::set<std::unique_ptr<FuncType>, TypeLess> types;
};

Registry &registry() {
  // Never destroyed: interned pointers must outlive every static object that
  // might still hold one at exit.
  static Registry *instance = new Registry();
  return *instance;
}

} // namespace

const FuncType *internFuncType(const FuncType &type) {
  Registry &reg = registry();
  std::lock_guard<std::mutex> lock(reg.mutex);
  auto it = reg.types.find(type);
  if (it != reg.types.end()) return it->get();
  return reg.types.insert(std::make_unique<FuncType>(type)).first->get();
}

} // namespace halter::rt
