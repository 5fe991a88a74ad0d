// The engine objects behind the public handles, for the layers that make
// and use them (runtime, exec, src/api) and for the tests: the one accessor
// the public classes befriend (halter.h), so the public headers name no
// engine type and hold no state an embedder could corrupt.
#pragma once

#include "compile/compiled_module.h"
#include "halter/halter.h"
#include "runtime/instance.h"

#include <memory>

namespace halter::exec {
struct Interrupt;
class Execution;
} // namespace halter::exec

namespace halter::detail {

struct ApiAccess {
  // Modules.
  static std::shared_ptr<const Module>
  makeModule(std::shared_ptr<const compile::CompiledModule> cm) {
    return std::shared_ptr<const Module>(new Module(std::move(cm)));
  }
  static const compile::CompiledModule &compiled(const Module &m) {
    return *static_cast<const compile::CompiledModule *>(m.compiled_.get());
  }
  static std::shared_ptr<const compile::CompiledModule> compiledShared(const Module &m) {
    return std::static_pointer_cast<const compile::CompiledModule>(m.compiled_);
  }

  // Instances.
  static rt::Instance *impl(const Instance &i) {
    return static_cast<rt::Instance *>(i.impl_.get());
  }
  static std::shared_ptr<rt::Instance> implShared(const Instance &i) {
    return std::static_pointer_cast<rt::Instance>(i.impl_);
  }
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

  // Host calls.
  static CallContext makeCallContext(rt::Instance *caller, exec::Interrupt *interrupt,
                                     std::optional<Clock::time_point> deadline) {
    CallContext ctx;
    ctx.caller_ = caller;
    ctx.interrupt_ = interrupt;
    ctx.deadline_ = deadline;
    return ctx;
  }
  static rt::Instance *callerInstance(const CallContext &ctx) {
    return static_cast<rt::Instance *>(ctx.caller_);
  }
  static exec::Interrupt *interrupt(const CallContext &ctx) {
    return static_cast<exec::Interrupt *>(ctx.interrupt_);
  }

  // Cancel tokens (src/exec/cancel_token.cpp).
  static const std::shared_ptr<CancelToken::State> &cancelState(const CancelToken &t) {
    return t.state_;
  }
  static void setCancelState(CancelToken &t, std::shared_ptr<CancelToken::State> state) {
    t.state_ = std::move(state);
  }

  // Typed calls.
  static detail::TypedTarget makeTypedTarget(std::shared_ptr<void> keep_alive,
                                             rt::Instance *instance, const rt::Function *func) {
    detail::TypedTarget t;
    t.keep_alive_ = std::move(keep_alive);
    t.instance_ = instance;
    t.func_ = func;
    return t;
  }
  static rt::Instance *instance(const detail::TypedTarget &t) {
    return static_cast<rt::Instance *>(t.instance_);
  }
  static const rt::Function *func(const detail::TypedTarget &t) {
    return static_cast<const rt::Function *>(t.func_);
  }

  // Executions, defined in src/api/execution.cpp (they need exec::Execution
  // whole). A new Execution holds an engine execution not yet initialised
  // (engine(e)->init(...)) and keeps `keep_alive` and `keep_alive_callee`
  // (what it runs on) alive until after it.
  static Execution newExecution(std::shared_ptr<const void> keep_alive,
                                std::shared_ptr<const void> keep_alive_callee = nullptr);
  static exec::Execution *engine(const Execution &e); // null when empty
};

} // namespace halter::detail
