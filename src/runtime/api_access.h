// The engine objects behind the public handles, for the runtime (which
// resolves imports given as Externs), src/api and the tests: the one
// accessor the public classes befriend (halter.h), so no engine state is a
// public member an embedder could corrupt.
#pragma once

#include "halter/halter.h"

#include <memory>

namespace halter::detail {

struct ApiAccess {
  // Instances.
  static const std::shared_ptr<rt::Instance> &impl(const Instance &i) { return i.impl_; }
  static std::shared_ptr<Instance> makeInstance(std::shared_ptr<rt::Instance> impl,
                                                std::shared_ptr<const Module> module) {
    auto instance = std::make_shared<Instance>();
    instance->impl_ = std::move(impl);
    instance->module_ = std::move(module);
    return instance;
  }
  // Externs.
  static void *object(const Extern &e) { return e.object_; }
  static const std::shared_ptr<void> &owner(const Extern &e) { return e.owner_; }
  static Extern makeExtern(ExternKind kind, void *object, std::shared_ptr<void> owner) {
    Extern e;
    e.kind_ = kind;
    e.object_ = object;
    e.owner_ = std::move(owner);
    return e;
  }
  // Executions.
  // Defined in src/api/execution.cpp (it needs exec::Execution whole).
  static Execution makeExecution(std::unique_ptr<exec::Execution> impl,
                                 std::shared_ptr<const void> keep_alive,
                                 std::shared_ptr<const void> keep_alive_callee = nullptr);
};

} // namespace halter::detail
