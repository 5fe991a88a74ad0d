#include "runtime/instance.h"
#include "api/execution_state.h"
#include "api/start_function.h"
#include "compile/compiled_module.h"
#include "exec/execution.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instantiate.h"
#include "runtime/lifetime_group.h"
#include "runtime/snapshot.h"

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
  if (inst.module == nullptr) return nullptr;
  for (const ir::Export &exp : inst.module->ir.exports) {
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
  return inst != nullptr && inst->parked();
}

Error parkedError() {
  return makeError(ErrorCode::ReentrantCall, kNoOffset,
                   "the instance has a paused execution; resume or drop it first");
}

Error emptyInstance() {
  return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty instance");
}

// The function exported as `name`.
Result<const rt::Function *> exportedFunc(const rt::Instance &inst, std::string_view name) {
  const ir::Export *exp = findExport(inst, name);
  if (exp == nullptr || exp->kind != ExternKind::Func || exp->index >= inst.funcs.size())
    return notFound("function", name);
  return inst.funcs[exp->index];
}

// Everything a call needs checked before any guest code runs.
// `host_ok`: a host function called alone has no instance.
Result<const rt::Function *> resolveCall(rt::Instance *inst, std::string_view export_name,
                                         const Extern *func, std::span<const Value> args,
                                         bool host_ok = false) {
  if (inst == nullptr && !host_ok) return emptyInstance();
  const rt::Function *fn = nullptr;
  if (func == nullptr) {
    HALTER_ASSIGN_OR_RETURN(fn, exportedFunc(*inst, export_name));
  } else {
    if (!func->valid() || func->kind() != ExternKind::Func) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a function");
    }
    fn = static_cast<const rt::Function *>(detail::ApiAccess::object(*func));
  }
  if (isParked(inst) || isParked(fn->instance)) return parkedError();
  HALTER_TRY(checkArgs(*fn->type, args));
  return fn;
}

// `instance_limits` apply unless the options replace them.
Result<Outcome> runCall(const Limits &instance_limits, const rt::Function &fn,
                        std::span<const Value> args, const CallOptions &options) {
  const Limits &limits = options.limits ? *options.limits : instance_limits;
  HALTER_TRY(exec::checkLimits(limits));
  exec::Execution ex;
  ex.init(fn, args, limits, options.cancel);
  ex.forbidSuspension(); // nothing could answer it
  HALTER_TRY(ex.run());
  return std::move(ex.out);
}

// `group` is the instance's lifetime group (Instance::impl_), which the
// execution keeps alive, with the callee's owner when called as an Extern;
// `instance_limits` apply unless the options replace them.
Result<Execution> startCall(const std::shared_ptr<void> &group, const Limits &instance_limits,
                            const rt::Function &fn, std::span<const Value> args,
                            const CallOptions &options, const Extern *func = nullptr) {
  const Limits &limits = options.limits ? *options.limits : instance_limits;
  HALTER_TRY(exec::checkLimits(limits));
  Execution e = detail::ApiAccess::newExecution(
      group, func != nullptr ? detail::ApiAccess::owner(*func) : nullptr);
  // Execution::cancel may come from any thread: it goes through a token.
  CancelToken cancel = options.cancel.empty() ? CancelToken::create() : options.cancel;
  detail::ApiAccess::engine(e)->init(fn, args, limits, cancel);
  return e;
}

// Why a typed call's guest did not return, as an error.
Error notReturned(const Outcome &out) {
  switch (out.kind) {
  case OutcomeKind::Trapped:
    return makeError(ErrorCode::Trapped, kNoOffset, out.trap.describe());
  case OutcomeKind::OutOfFuel:
    return makeError(ErrorCode::OutOfFuel, kNoOffset, "the call ran out of fuel");
  case OutcomeKind::DeadlineExceeded:
    return makeError(ErrorCode::DeadlineExceeded, kNoOffset, "the call passed its deadline");
  case OutcomeKind::Cancelled:
    return makeError(ErrorCode::Cancelled, kNoOffset, "the call was cancelled");
  case OutcomeKind::Exited:
    return makeError(ErrorCode::Exited, kNoOffset,
                     "the guest exited with code " + std::to_string(out.exit_code));
  default:
    return makeError(ErrorCode::Internal, kNoOffset,
                     std::string("typed call ended ") + outcomeKindName(out.kind));
  }
}

} // namespace

Result<Outcome> Instance::call(std::string_view export_name, std::span<const Value> args,
                               const CallOptions &options) {
  rt::Instance *inst = detail::ApiAccess::impl(*this);
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall(inst, export_name, nullptr, args));
  return runCall(inst->limits, *fn, args, options);
}

Result<Outcome> Instance::call(const Extern &func, std::span<const Value> args,
                               const CallOptions &options) {
  rt::Instance *inst = detail::ApiAccess::impl(*this);
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, resolveCall(inst, {}, &func, args));
  return runCall(inst->limits, *fn, args, options);
}

Result<Execution> Instance::start(std::string_view export_name, std::span<const Value> args,
                                  const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn,
                          resolveCall(detail::ApiAccess::impl(*this), export_name, nullptr, args));
  return startCall(impl_, detail::ApiAccess::impl(*this)->limits, *fn, args, options);
}

Result<Execution> Instance::start(const Extern &func, std::span<const Value> args,
                                  const CallOptions &options) {
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn,
                          resolveCall(detail::ApiAccess::impl(*this), {}, &func, args));
  return startCall(impl_, detail::ApiAccess::impl(*this)->limits, *fn, args, options, &func);
}

// A function called through its Extern alone: its instance's limits, or
// for a host function default limits.
Result<Outcome> Extern::call(std::span<const Value> args, const CallOptions &options) const {
  if (!valid() || kind() != ExternKind::Func) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a function");
  }
  const auto *fn = static_cast<const rt::Function *>(object_);
  HALTER_TRY(resolveCall(fn->instance, {}, this, args, /*host_ok=*/true));
  return runCall(fn->instance != nullptr ? fn->instance->limits : Limits{}, *fn, args, options);
}

Result<Execution> Extern::start(std::span<const Value> args, const CallOptions &options) const {
  if (!valid() || kind() != ExternKind::Func) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "not a function");
  }
  const auto *fn = static_cast<const rt::Function *>(object_);
  HALTER_TRY(resolveCall(fn->instance, {}, this, args, /*host_ok=*/true));
  return startCall(owner_, fn->instance != nullptr ? fn->instance->limits : Limits{}, *fn, args,
                   options);
}

Result<detail::TypedTarget> Instance::typedTarget(std::string_view export_name,
                                                  std::span<const ValType> params,
                                                  std::span<const ValType> results) const {
  rt::Instance *inst = detail::ApiAccess::impl(*this);
  if (inst == nullptr) return emptyInstance();
  HALTER_ASSIGN_OR_RETURN(const rt::Function *fn, exportedFunc(*inst, export_name));
  FuncType asked{{params.begin(), params.end()}, {results.begin(), results.end()}};
  if (!(asked == *fn->type)) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "export \"" + std::string(export_name) + "\" has type " +
                         fn->type->describe() + ", not " + asked.describe());
  }
  return detail::ApiAccess::makeTypedTarget(impl_, inst, fn);
}

// The typed call path: the checks of call(), then the run, with arguments
// and results as raw slots and no clock read for stats.
Result<void> detail::callTyped(const TypedTarget &target, std::span<const uint64_t> args,
                               std::span<uint64_t> results, const CallOptions *options) {
  rt::Instance *inst = ApiAccess::instance(target);
  const rt::Function *fn = ApiAccess::func(target);
  if (inst == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty TypedFunc (default-made)");
  if (isParked(inst) || isParked(fn->instance)) return parkedError();
  const Limits &limits = options != nullptr && options->limits ? *options->limits : inst->limits;
  HALTER_TRY(exec::checkLimits(limits));
  static const CancelToken kNoCancel;
  exec::Execution ex;
  ex.initRaw(*fn, args, limits, options != nullptr ? options->cancel : kNoCancel);
  ex.forbidSuspension(); // nothing could answer it
  ex.skipWallTime();
  ex.returnRawResults(results.data());
  HALTER_TRY(ex.run());
  if (!ex.out.returned()) return notReturned(ex.out);
  return okResult();
}

const Limits &Instance::limits() const {
  return detail::ApiAccess::impl(*this)->limits;
}

namespace {

// Only instances hold memories and tables by shared_ptr: a count above one
// among the instance's own (from index `first_own`) is another instance that
// imported it, and would run on a memory or table that shrank under it.
template <class T>
Result<void> refuseShared(const std::vector<std::shared_ptr<T>> &objects, size_t first_own,
                          const char *what) {
  for (size_t i = first_own; i < objects.size(); ++i) {
    if (objects[i].use_count() > 1) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       std::string("cannot reset the instance: another instance imports its ") +
                           what + " " + std::to_string(i));
    }
  }
  return okResult();
}

} // namespace

namespace {

// Holds an instance for an operation on the whole of it (reset, snapshot):
// refused while a call runs, on another thread or below on this one, and
// while an execution is parked.
class WholeInstance {
public:
  explicit WholeInstance(rt::Instance &inst) : inst_(inst), entered_(inst.tryEnter()) {}
  ~WholeInstance() {
    if (entered_) inst_.leave();
  }
  WholeInstance(const WholeInstance &) = delete;
  WholeInstance &operator=(const WholeInstance &) = delete;

  // `verb`: what is refused ("reset"); `parked_note`: said of a parked
  // execution before "resume or drop it first".
  Result<void> check(const std::string &verb, const std::string &parked_note) const {
    if (!entered_) {
      return makeError(ErrorCode::InstanceBusy, kNoOffset,
                       "cannot " + verb + " the instance: another thread is running a call of it");
    }
    if (inst_.busy_depth > 1) {
      return makeError(ErrorCode::InstanceBusy, kNoOffset,
                       "cannot " + verb + " the instance from inside one of its own calls");
    }
    if (inst_.parked()) {
      return makeError(ErrorCode::ReentrantCall, kNoOffset,
                       "cannot " + verb + " the instance: it has a paused execution" + parked_note +
                           "; resume or drop it first");
    }
    return okResult();
  }

private:
  rt::Instance &inst_;
  bool entered_;
};

} // namespace

Result<void> Instance::reset(const ResetOptions &options) {
  rt::Instance *inst = detail::ApiAccess::impl(*this);
  if (inst == nullptr) return emptyInstance();
  WholeInstance whole(*inst);
  HALTER_TRY(whole.check("reset", ""));
  const ir::Module &m = inst->module->ir;
  HALTER_TRY(refuseShared(inst->memories, m.imported_memories.size(), "memory"));
  HALTER_TRY(refuseShared(inst->tables, m.imported_tables.size(), "table"));
  HALTER_TRY(rt::resetInstance(*inst));
  inst->resets.fetch_add(1, std::memory_order_relaxed);
  if (!options.run_start) return okResult();
  return runStartFunction(*inst, inst->limits, options.cancel);
}

Result<std::vector<uint8_t>> Instance::snapshot(const SnapshotOptions &options) const {
  rt::Instance *inst = detail::ApiAccess::impl(*this);
  if (inst == nullptr) return emptyInstance();
  WholeInstance whole(*inst);
  HALTER_TRY(whole.check("snapshot", " (save it with Execution::snapshot instead)"));
  if (!options.host_state.empty())
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "SnapshotOptions::host_state is saved with an execution "
                     "(Execution::snapshot), not with an instance");
  return rt::writeInstanceSnapshot(*inst, options.compress);
}

InstanceStats Instance::stats() const {
  const rt::Instance *inst = detail::ApiAccess::impl(*this);
  InstanceStats out;
  if (inst == nullptr) return out;
  out.runs = inst->runs.load(std::memory_order_relaxed);
  out.traps = inst->traps.load(std::memory_order_relaxed);
  out.limit_stops = inst->limit_stops.load(std::memory_order_relaxed);
  out.resets = inst->resets.load(std::memory_order_relaxed);
  size_t first_own = inst->module ? inst->module->ir.imported_memories.size() : 0;
  for (size_t i = first_own; i < inst->memories.size(); ++i)
    out.memory_bytes += inst->memories[i]->sizeBytes();
  return out;
}

void Instance::setLimits(const Limits &limits) {
  detail::ApiAccess::impl(*this)->limits = limits;
}

Result<Extern> Instance::getExport(std::string_view name) const {
  const rt::Instance *inst = detail::ApiAccess::impl(*this);
  if (inst == nullptr) return emptyInstance();
  const ir::Export *exp = findExport(*inst, name);
  if (exp == nullptr) return notFound("", name);
  void *object = nullptr;
  switch (exp->kind) {
  case ExternKind::Func:
    if (exp->index < inst->funcs.size()) object = inst->funcs[exp->index];
    break;
  case ExternKind::Table:
    if (exp->index < inst->tables.size()) object = inst->tables[exp->index].get();
    break;
  case ExternKind::Memory:
    if (exp->index < inst->memories.size()) object = inst->memories[exp->index].get();
    break;
  case ExternKind::Global:
    if (exp->index < inst->globals.size()) object = inst->globals[exp->index].get();
    break;
  }
  if (object == nullptr) return makeError(ErrorCode::Internal, kNoOffset, "export out of range");
  return detail::ApiAccess::makeExtern(exp->kind, object, rt::groupOf(*inst));
}

Result<Value> Instance::getGlobal(std::string_view export_name) const {
  const rt::Instance *inst = detail::ApiAccess::impl(*this);
  if (inst == nullptr) return emptyInstance();
  const ir::Export *exp = findExport(*inst, export_name);
  if (exp == nullptr || exp->kind != ExternKind::Global || exp->index >= inst->globals.size()) {
    return notFound("global", export_name);
  }
  return inst->globals[exp->index]->get();
}

} // namespace halter
