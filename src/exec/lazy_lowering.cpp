#include "exec/lazy_lowering.h"

#include "compile/compiled_module.h"
#include "compile/lower.h"
#include "exec/interpreter.h"

namespace halter::exec {
namespace {

// Under the module's lowering lock: lowers and publishes `form` of `fn`
// unless another thread did while this one waited.
Result<const uint64_t *> lowerLocked(const compile::CompiledFunction &fn, compile::Form form) {
  const compile::CompiledFunction::Published &p = fn.published(form);
  if (const uint64_t *entry = p.entry.load(std::memory_order_acquire)) return entry;
  HALTER_ASSIGN_OR_RETURN(compile::LoweredCode code,
                          compile::lowerFunction(fn.module->ir, fn.defined_index, form));
  threadCode(code);
  fn.publish(form, std::make_unique<const compile::LoweredCode>(std::move(code)));
  return p.entry.load(std::memory_order_relaxed);
}

} // namespace

const uint64_t *lowerOnCall(const compile::CompiledFunction &fn, compile::Form form) {
  if (const uint64_t *entry = fn.published(form).entry.load(std::memory_order_acquire))
    return entry;
  if (fn.module == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(fn.module->lowering_lock);
  Result<const uint64_t *> entry = lowerLocked(fn, form);
  return entry.ok() ? *entry : nullptr;
}

Result<void> lowerAll(const compile::CompiledModule &module,
                      std::initializer_list<compile::Form> forms) {
  std::lock_guard<std::mutex> lock(module.lowering_lock);
  for (const compile::CompiledFunction &fn : module.code) {
    for (compile::Form form : forms) HALTER_TRY(lowerLocked(fn, form));
  }
  return okResult();
}

} // namespace halter::exec
