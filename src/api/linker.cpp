#include "api/builtin_imports.h"
#include "api/start_function.h"
#include "exec/execution.h"
#include "exec/execution_snapshot.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instantiate.h"
#include "runtime/snapshot.h"

namespace halter {

void Linker::define(std::string module, std::string name, Extern value) {
  defs_[{std::move(module), std::move(name)}] = std::move(value);
}

void Linker::defineFunc(std::string module, std::string name, FuncType type, HostFunction fn,
                        HostErrors errors) {
  bool one_int_result = type.results.size() == 1 &&
                        (type.results[0] == ValType::I32 || type.results[0] == ValType::I64);
  if (errors == HostErrors::NegativeCode && !one_int_result && definition_error_.empty()) {
    definition_error_ = module + "." + name + ": HostErrors::NegativeCode needs exactly one i32 " +
                        "or i64 result, the type is " + type.describe();
  }
  Extern func = Extern::hostFunc(std::move(type), std::move(fn), errors, module, name);
  define(std::move(module), std::move(name), std::move(func));
}

void Linker::defineInstance(const std::string &module, const Instance &instance) {
  for (const ExportInfo &exp : instance.module().exports()) {
    Result<Extern> ext = instance.getExport(exp.name);
    if (ext.ok()) define(module, exp.name, std::move(ext).value());
  }
}

Result<std::vector<Extern>> Linker::resolveImports(const Module &module) const {
  if (!definition_error_.empty())
    return makeError(ErrorCode::InvalidArgument, kNoOffset, definition_error_);
  const compile::CompiledModule &cm = detail::ApiAccess::compiled(module);
  std::vector<Extern> imports;
  imports.reserve(cm.ir.imports.size());
  for (const ir::Import &imp : cm.ir.imports) {
    auto it = defs_.find({imp.module, imp.name});
    if (it == defs_.end() && isBuiltinImport(imp.module, imp.name)) {
      imports.push_back(builtinImport(imp.name));
      continue;
    }
    if (it == defs_.end()) {
      return makeError(ErrorCode::UnknownImport, imp.offset,
                       "unknown import " + imp.module + "." + imp.name);
    }
    imports.push_back(it->second);
  }
  return imports;
}

Result<std::shared_ptr<Instance>> Linker::instantiate(std::shared_ptr<const Module> module,
                                                      const Limits &limits,
                                                      const CancelToken &cancel) const {
  if (!module) return makeError(ErrorCode::InvalidArgument, kNoOffset, "no module");
  HALTER_TRY(exec::checkLimits(limits));
  HALTER_ASSIGN_OR_RETURN(std::vector<Extern> imports, resolveImports(*module));
  HALTER_ASSIGN_OR_RETURN(
      std::shared_ptr<rt::Instance> impl,
      rt::instantiate(detail::ApiAccess::compiledShared(*module), imports, limits));

  // The start function runs under the instance's limits (fuel, deadline)
  // and the caller's cancel token.
  HALTER_TRY(runStartFunction(*impl, limits, cancel));

  return detail::ApiAccess::makeInstance(std::move(impl), std::move(module));
}

Result<std::shared_ptr<const Snapshot>> Snapshot::read(std::shared_ptr<const Module> module,
                                                       std::span<const uint8_t> bytes) {
  if (!module) return makeError(ErrorCode::InvalidArgument, kNoOffset, "no module");
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<const rt::ResetPoint> point,
                          rt::readSnapshot(detail::ApiAccess::compiled(*module), bytes));
  return std::shared_ptr<const Snapshot>(new Snapshot(std::move(module), std::move(point)));
}

Result<std::shared_ptr<Instance>> Linker::restore(std::shared_ptr<const Module> module,
                                                  std::span<const uint8_t> snapshot,
                                                  const Limits &limits) const {
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> read,
                          Snapshot::read(std::move(module), snapshot));
  return restore(*read, limits);
}

Result<std::shared_ptr<Instance>> Linker::restore(const Snapshot &snapshot,
                                                  const Limits &limits) const {
  HALTER_TRY(exec::checkLimits(limits));
  const std::shared_ptr<const Module> &module = snapshot.module_;
  HALTER_ASSIGN_OR_RETURN(std::vector<Extern> imports, resolveImports(*module));
  HALTER_ASSIGN_OR_RETURN(
      std::shared_ptr<rt::Instance> impl,
      rt::instantiate(detail::ApiAccess::compiledShared(*module), imports, limits));
  HALTER_TRY(
      rt::applyResetPoint(*impl, std::static_pointer_cast<const rt::ResetPoint>(snapshot.state_)));
  return detail::ApiAccess::makeInstance(std::move(impl), module);
}

Result<RestoredExecution> Linker::restoreExecution(std::shared_ptr<const Module> module,
                                                   std::span<const uint8_t> snapshot,
                                                   const Limits &limits,
                                                   const CancelToken &cancel) const {
  if (!module) return makeError(ErrorCode::InvalidArgument, kNoOffset, "no module");
  HALTER_TRY(exec::checkLimits(limits));
  HALTER_ASSIGN_OR_RETURN(
      std::shared_ptr<const exec::ExecutionImage> image,
      exec::readExecutionSnapshot(detail::ApiAccess::compiled(*module), snapshot, limits));
  HALTER_ASSIGN_OR_RETURN(std::vector<Extern> imports, resolveImports(*module));
  HALTER_ASSIGN_OR_RETURN(
      std::shared_ptr<rt::Instance> impl,
      rt::instantiate(detail::ApiAccess::compiledShared(*module), imports, limits));
  HALTER_TRY(rt::applyResetPoint(*impl, image->instance));
  std::shared_ptr<Instance> instance = detail::ApiAccess::makeInstance(impl, std::move(module));
  RestoredExecution out{
      instance, detail::ApiAccess::newExecution(detail::ApiAccess::implShared(*instance)), {}};
  CancelToken token = cancel.empty() ? CancelToken::create() : cancel;
  HALTER_TRY(exec::restoreExecution(*detail::ApiAccess::engine(out.execution), *impl, *image,
                                    limits, token));
  out.host_state = image->host_state;
  return out;
}

} // namespace halter
