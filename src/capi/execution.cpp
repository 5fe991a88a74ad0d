// halter_c.h's executions (calls that stop and continue), reset and
// snapshots.
#include "capi/capi.h"

using namespace halter;
using namespace halter::capi;

struct halter_execution_t {
  wasm_store_t *store = nullptr;
  std::optional<Execution> exec;
  std::optional<Outcome> last; // the last run's outcome
  std::string error;
};

namespace {

bool fail(halter_execution_t *e, std::string why) {
  e->error = std::move(why);
  return false;
}

halter_outcome_kind_t kindOf(OutcomeKind k) {
  switch (k) {
  case OutcomeKind::Returned:
    return HALTER_OUTCOME_RETURNED;
  case OutcomeKind::Trapped:
    return HALTER_OUTCOME_TRAPPED;
  case OutcomeKind::OutOfFuel:
    return HALTER_OUTCOME_OUT_OF_FUEL;
  case OutcomeKind::DeadlineExceeded:
    return HALTER_OUTCOME_DEADLINE;
  case OutcomeKind::Cancelled:
    return HALTER_OUTCOME_CANCELLED;
  case OutcomeKind::Suspended:
    return HALTER_OUTCOME_SUSPENDED;
  case OutcomeKind::Exited:
    return HALTER_OUTCOME_EXITED;
  }
  return HALTER_OUTCOME_INVALID;
}

void valuesOut(wasm_store_t *store, const std::vector<Value> &values, wasm_val_vec_t *out) {
  wasm_val_vec_new_uninitialized(out, values.size());
  for (size_t i = 0; i < out->size; ++i) fromValue(store, values[i], &out->data[i]);
}

} // namespace

extern "C" {

halter_execution_t *halter_func_start(const wasm_func_t *func, const wasm_val_vec_t *args) {
  if (func == nullptr) return nullptr;
  return guarded<halter_execution_t *>(nullptr, [&]() -> halter_execution_t * {
    wasm_store_t *store = func->store;
    auto report = [&](std::string why) -> halter_execution_t * {
      if (store != nullptr) store->last_error = std::move(why);
      return nullptr;
    };
    auto type = func->ext.funcType();
    if (!type.ok()) return report(type.error().describe());
    auto values = argsFor(store, *type, args);
    if (!values.ok()) return report(values.error().message);
    auto ex = func->ext.start(*values, callOptions(store));
    if (!ex.ok()) return report(ex.error().describe());
    auto *e = new halter_execution_t;
    e->store = store;
    e->exec.emplace(std::move(*ex));
    return e;
  });
}

halter_outcome_kind_t halter_execution_run(halter_execution_t *e) {
  if (e == nullptr) return HALTER_OUTCOME_INVALID;
  return guarded(halter_outcome_kind_t(HALTER_OUTCOME_INVALID), [&] {
    auto out = e->exec->run();
    if (!out.ok()) {
      fail(e, out.error().describe());
      return halter_outcome_kind_t(HALTER_OUTCOME_INVALID);
    }
    e->last = std::move(*out);
    return kindOf(e->last->kind);
  });
}

bool halter_execution_results(const halter_execution_t *e, wasm_val_vec_t *out) {
  if (out == nullptr) return false;
  wasm_val_vec_new_empty(out);
  if (e == nullptr || !e->last || !e->last->returned()) return false;
  return guarded(false, [&] {
    valuesOut(e->store, e->last->results, out);
    return true;
  });
}

wasm_trap_t *halter_execution_trap(const halter_execution_t *e) {
  if (e == nullptr || !e->last) return nullptr;
  return guarded<wasm_trap_t *>(nullptr, [&] { return trapFor(e->store, *e->last); });
}

bool halter_execution_pending(const halter_execution_t *e, wasm_name_t *module, wasm_name_t *name,
                              wasm_val_vec_t *args) {
  if (module != nullptr) wasm_byte_vec_new_empty(module);
  if (name != nullptr) wasm_byte_vec_new_empty(name);
  if (args != nullptr) wasm_val_vec_new_empty(args);
  if (e == nullptr || !e->exec->suspended() || !e->last || !e->last->suspended()) return false;
  return guarded(false, [&] {
    const PendingCall &p = e->last->pending;
    // NUL-terminated, as wasm.h's messages.
    if (module != nullptr) setName(module, std::string_view(p.module.c_str(), p.module.size() + 1));
    if (name != nullptr) setName(name, std::string_view(p.name.c_str(), p.name.size() + 1));
    if (args != nullptr) valuesOut(e->store, p.args, args);
    return true;
  });
}

bool halter_execution_resume(halter_execution_t *e, const wasm_val_vec_t *results) {
  if (e == nullptr) return false;
  return guarded(false, [&] {
    if (!e->exec->suspended()) return fail(e, "no host call is pending");
    // The pending import's result types come from its arguments' call:
    // the Execution checks them; convert by the kinds given.
    std::vector<Value> values;
    for (size_t i = 0; results != nullptr && i < results->size; ++i) {
      std::optional<ValType> t = valTypeOf(results->data[i].kind);
      if (!t) return fail(e, "result " + std::to_string(i + 1) + ": unknown kind");
      auto v = toValue(e->store, results->data[i], *t);
      if (!v.ok()) return fail(e, v.error().message);
      values.push_back(*v);
    }
    auto r = e->exec->resume(values);
    return r.ok() ? true : fail(e, r.error().describe());
  });
}

bool halter_execution_resume_with_error(halter_execution_t *e, const char *message) {
  if (e == nullptr) return false;
  return guarded(false, [&] {
    auto r = e->exec->resumeWithError(message != nullptr ? message : "");
    return r.ok() ? true : fail(e, r.error().describe());
  });
}

bool halter_execution_read_memory(const halter_execution_t *e, uint64_t addr, void *out,
                                  size_t size) {
  if (e == nullptr || (out == nullptr && size != 0)) return false;
  return e->exec->readMemory(addr, std::span<uint8_t>(static_cast<uint8_t *>(out), size)).ok();
}

bool halter_execution_write_memory(halter_execution_t *e, uint64_t addr, const void *data,
                                   size_t size) {
  if (e == nullptr || (data == nullptr && size != 0)) return false;
  return e->exec
      ->writeMemory(addr, std::span<const uint8_t>(static_cast<const uint8_t *>(data), size))
      .ok();
}

void halter_execution_add_fuel(halter_execution_t *e, uint64_t units) {
  if (e != nullptr) e->exec->addFuel(units);
}
uint64_t halter_execution_fuel_left(const halter_execution_t *e) {
  return e != nullptr ? e->exec->fuelLeft() : 0;
}
uint64_t halter_execution_fuel_used(const halter_execution_t *e) {
  return e != nullptr ? e->exec->stats().fuel_used : 0;
}
void halter_execution_cancel(halter_execution_t *e) {
  if (e != nullptr) e->exec->cancel();
}
const char *halter_execution_last_error(const halter_execution_t *e) {
  return e != nullptr ? e->error.c_str() : "execution is NULL";
}
void halter_execution_delete(halter_execution_t *e) {
  delete e;
}

bool halter_instance_reset(wasm_instance_t *instance, bool run_start) {
  if (instance == nullptr) return false;
  return guarded(false, [&] {
    ResetOptions options;
    options.run_start = run_start;
    auto r = instance->instance->reset(options);
    if (!r.ok() && instance->store != nullptr) instance->store->last_error = r.error().describe();
    return r.ok();
  });
}

bool halter_instance_snapshot(const wasm_instance_t *instance, bool compress,
                              wasm_byte_vec_t *out) {
  if (out == nullptr) return false;
  wasm_byte_vec_new_empty(out);
  if (instance == nullptr) return false;
  return guarded(false, [&] {
    auto bytes = instance->instance->snapshot(SnapshotOptions{compress, {}});
    if (!bytes.ok()) {
      if (instance->store != nullptr) instance->store->last_error = bytes.error().describe();
      return false;
    }
    setName(out, std::string_view(reinterpret_cast<const char *>(bytes->data()), bytes->size()));
    return true;
  });
}

wasm_instance_t *halter_instance_restore(wasm_store_t *store, const wasm_module_t *module,
                                         const wasm_extern_vec_t *imports,
                                         const wasm_byte_vec_t *snapshot) {
  if (store == nullptr || module == nullptr || snapshot == nullptr) return nullptr;
  return guarded<wasm_instance_t *>(nullptr, [&]() -> wasm_instance_t * {
    auto linker = linkerFor(*module->module, imports);
    if (!linker.ok()) {
      store->last_error = linker.error().message;
      return nullptr;
    }
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t *>(snapshot->data),
                                   snapshot->data != nullptr ? snapshot->size : 0);
    auto inst = linker->restore(module->module, bytes, store->limits.value_or(Limits{}));
    if (!inst.ok()) {
      store->last_error = inst.error().describe();
      return nullptr;
    }
    return newInstanceHandle(store, std::move(*inst));
  });
}

} // extern "C"
