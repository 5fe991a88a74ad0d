#include "runtime/instance.h"
#include "api/compiled_module.h"
#include "exec/execution.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/lifetime_group.h"

namespace halter {

namespace {

Result<void> checkArgs(const FuncType &type, std::span<const Value> args) {
  if (args.size() != type.params.size()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "expected " + std::to_string(type.params.size()) + " arguments, got " +
                         std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type() != type.params[i]) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "argument " + std::to_string(i + 1) + ": expected " +
                           valTypeName(type.params[i]) + ", got " + valTypeName(args[i].type()));
    }
  }
  return okResult();
}

const ir::Export *findExport(const rt::Instance &inst, std::string_view name) {
  if (inst.ir == nullptr) return nullptr;
  for (const ir::Export &exp : inst.ir->exports) {
    if (exp.name == name) return &exp;
  }
  return nullptr;
}

Error notFound(std::string_view what, std::string_view name) {
  return makeError(ErrorCode::NotFound, kNoOffset,
                   std::string("no ") + std::string(what) + " export named \"" + std::string(name) +
                       "\"");
}

bool isParked(const rt::Instance *inst) {
  return inst != nullptr && inst->paused_executions.load(std::memory_order_relaxed) != 0;
}

} // namespace

// Everything a call needs checked before any guest code runs.
Result<const rt::Function *> Instance::resolveCall(std::string_view export_name, const Extern *func,
                                                   std::span<const Value> args) const {
  if (!impl_) return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty instance");
  const rt::Function *fn = nullptr;
  if (func == nullptr) {
    const ir::Export *exp = findExport(*impl_, export_name);
    if (exp == nullptr || exp->kind != ExternKind::Func || exp->index >= impl_->funcs.size()) {
      return notFound("function", export_name);
    }
    fn = impl_->funcs[exp->index];
  } else {
    if (!func->valid() || func->kind() != ExternKind::Func) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a function");
    }
    fn = static_cast<const rt::Function *>(detail::ApiAccess::object(*func));
  }
  if (isParked(impl_.get()) || isParked(fn->instance)) {
    return makeError(ErrorCode::ReentrantCall, kNoOffset,
                     "the instance has a paused execution; resume or drop it first");
  }
  HALTER_TRY(checkArgs(*fn->type, args));
  return fn;
}

Result<Outcome> Instance::runCall(const rt::Function &fn, std::span<const Value> args,
                                  const CallOptions &options) {
  const Limits &limits = options.limits ? *options.limits : impl_->limits;
  HALTER_TRY(exec::checkLimits(limits));
  exec::Execution ex;
  ex.init(fn, args, limits, options.cancel);
  ex.forbidSuspension(); // nothing could answer it
  HALTER_TRY(ex.run());
  return std::move(ex.out);
}

Result<Execution> Instance::startCall(const rt::Function &fn, std::span<const Value> args,
                                      const CallOptions &options, const Extern *func) {
  const Limits &limits = options.limits ? *options.limits : impl_->limits;
  HALTER_TRY(exec::checkLimits(limits));
  auto ex = std::make_unique<exec::Execution>();
  // Execution::cancel may come from any thread: it goes through a token.
  CancelToken cancel = options.cancel.empty() ? CancelToken::create() : options.cancel;
  ex->init(fn, args, limits, cancel);
  // The execution keeps this instance's group (and the callee's owner) alive.
  return detail::ApiAccess::makeExecution(
      std::move(ex), impl_, func != nullptr ? detail::ApiAccess::owner(*func) : nullptr);
}

Result<Outcome> Instance::call(std::string_view export_name, std::span<const Value> args,
                               const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall(export_name, nullptr, args));
  return runCall(*fn, args, options);
}

Result<Outcome> Instance::call(const Extern &func, std::span<const Value> args,
                               const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall({}, &func, args));
  return runCall(*fn, args, options);
}

Result<Execution> Instance::start(std::string_view export_name, std::span<const Value> args,
                                  const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall(export_name, nullptr, args));
  return startCall(*fn, args, options);
}

Result<Execution> Instance::start(const Extern &func, std::span<const Value> args,
                                  const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall({}, &func, args));
  return startCall(*fn, args, options, &func);
}

const Limits &Instance::limits() const {
  return impl_->limits;
}

void Instance::setLimits(const Limits &limits) {
  impl_->limits = limits;
}

Result<Extern> Instance::getExport(std::string_view name) const {
  if (!impl_) return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty instance");
  const ir::Export *exp = findExport(*impl_, name);
  if (exp == nullptr) return notFound("", name);
  void *object = nullptr;
  switch (exp->kind) {
  case ExternKind::Func:
    if (exp->index < impl_->funcs.size()) object = impl_->funcs[exp->index];
    break;
  case ExternKind::Table:
    if (exp->index < impl_->tables.size()) object = impl_->tables[exp->index].get();
    break;
  case ExternKind::Memory:
    if (exp->index < impl_->memories.size()) object = impl_->memories[exp->index].get();
    break;
  case ExternKind::Global:
    if (exp->index < impl_->globals.size()) object = impl_->globals[exp->index].get();
    break;
  }
  if (object == nullptr) return makeError(ErrorCode::Internal, kNoOffset, "export out of range");
  return detail::ApiAccess::makeExtern(exp->kind, object, rt::groupOf(*impl_));
}

Result<Value> Instance::getGlobal(std::string_view export_name) const {
  if (!impl_) return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty instance");
  const ir::Export *exp = findExport(*impl_, export_name);
  if (exp == nullptr || exp->kind != ExternKind::Global || exp->index >= impl_->globals.size()) {
    return notFound("global", export_name);
  }
  return impl_->globals[exp->index]->get();
}

} // namespace halter
