// wasm.h's functions, globals, tables, memories and externs.
#include "capi/capi.h"
#include "capi/host_call.h"

using namespace halter;
using namespace halter::capi;

namespace {

wasm_externkind_t externKindOf(ExternKind k) {
  switch (k) {
  case ExternKind::Func:
    return WASM_EXTERN_FUNC;
  case ExternKind::Global:
    return WASM_EXTERN_GLOBAL;
  case ExternKind::Table:
    return WASM_EXTERN_TABLE;
  case ExternKind::Memory:
    return WASM_EXTERN_MEMORY;
  }
  return WASM_EXTERN_FUNC;
}

wasm_externtype_t *typeOf(const Extern &e) {
  switch (e.kind()) {
  case ExternKind::Func:
    if (auto t = e.funcType(); t.ok()) return newFunctype(*t);
    break;
  case ExternKind::Global:
    if (auto t = e.globalType(); t.ok()) return newExterntype(e.kind(), {}, {}, {}, *t);
    break;
  case ExternKind::Table:
    if (auto t = e.tableType(); t.ok()) return newExterntype(e.kind(), {}, *t, {}, {});
    break;
  case ExternKind::Memory:
    if (auto t = e.memoryType(); t.ok()) return newExterntype(e.kind(), {}, {}, *t, {});
    break;
  }
  return nullptr;
}

wasm_func_t *newHostFunc(wasm_store_t *store, const wasm_functype_t *type, HostCallback callback) {
  if (store == nullptr || type == nullptr) return nullptr;
  std::optional<FuncType> ft = funcTypeOf(type);
  if (!ft) return nullptr;
  Extern e = Extern::hostFunc(*ft, hostFunctionFor(store, *ft, std::move(callback)));
  return static_cast<wasm_func_t *>(newExternHandle(store, std::move(e)));
}

// An element or initial value of a table of `elem` type as a C value.
wasm_val_t refVal(ValType elem, wasm_ref_t *ref) {
  wasm_val_t v{};
  v.kind = valKindOf(elem);
  v.of.ref = ref;
  return v;
}

} // namespace

extern "C" {

// ---- Functions ----------------------------------------------------------------

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t callback) {
  if (callback == nullptr) return nullptr;
  return guarded<wasm_func_t *>(nullptr, [&] {
    return newHostFunc(store, type, HostCallback{callback, nullptr, nullptr, nullptr});
  });
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t callback, void *env,
                                    void (*finalizer)(void *)) {
  if (callback == nullptr) return nullptr;
  return guarded<wasm_func_t *>(nullptr, [&] {
    return newHostFunc(store, type, HostCallback{nullptr, callback, env, finalizer});
  });
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f) {
  if (f == nullptr) return nullptr;
  return guarded<wasm_functype_t *>(nullptr, [&]() -> wasm_functype_t * {
    auto t = f->ext.funcType();
    return t.ok() ? newFunctype(*t) : nullptr;
  });
}

size_t wasm_func_param_arity(const wasm_func_t *f) {
  if (f == nullptr) return 0;
  auto t = f->ext.funcType();
  return t.ok() ? t->params.size() : 0;
}

size_t wasm_func_result_arity(const wasm_func_t *f) {
  if (f == nullptr) return 0;
  auto t = f->ext.funcType();
  return t.ok() ? t->results.size() : 0;
}

// Results go into the caller's vector as far as it reaches (wasm.h's
// examples size it by hand).
wasm_trap_t *wasm_func_call(const wasm_func_t *f, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  if (f == nullptr)
    return guarded<wasm_trap_t *>(nullptr, [] {
      return newTrap(nullptr, "wasm_func_call: func is NULL", HALTER_OUTCOME_INVALID);
    });
  return guarded<wasm_trap_t *>(nullptr, [&]() -> wasm_trap_t * {
    wasm_store_t *store = f->store;
    auto type = f->ext.funcType();
    if (!type.ok()) return newTrap(store, type.error().describe(), HALTER_OUTCOME_INVALID);
    auto values = argsFor(store, *type, args);
    if (!values.ok()) return newTrap(store, values.error().message, HALTER_OUTCOME_INVALID);
    auto out = f->ext.call(*values, callOptions(store));
    if (!out.ok()) return newTrap(store, out.error().describe(), HALTER_OUTCOME_INVALID);
    if (!out->returned()) return trapFor(store, *out);
    if (results != nullptr && results->data != nullptr) {
      size_t n = std::min(results->size, out->results.size());
      for (size_t i = 0; i < n; ++i) fromValue(store, out->results[i], &results->data[i]);
    }
    return nullptr;
  });
}

// ---- Globals ------------------------------------------------------------------

wasm_global_t *wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *type,
                               const wasm_val_t *val) {
  if (store == nullptr || type == nullptr || type->content == nullptr || val == nullptr)
    return nullptr;
  return guarded<wasm_global_t *>(nullptr, [&]() -> wasm_global_t * {
    std::optional<ValType> t = valTypeOf(type->content->kind);
    if (!t) return nullptr;
    auto v = toValue(store, *val, *t);
    if (!v.ok()) return nullptr;
    auto e = Extern::hostGlobal(GlobalType{*t, type->mutability == WASM_VAR}, *v);
    if (!e.ok()) return nullptr;
    return static_cast<wasm_global_t *>(newExternHandle(store, std::move(*e)));
  });
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g) {
  if (g == nullptr) return nullptr;
  return guarded<wasm_globaltype_t *>(
      nullptr, [&] { return static_cast<wasm_globaltype_t *>(typeOf(g->ext)); });
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out) {
  if (g == nullptr || out == nullptr) return;
  guardedVoid([&] {
    auto v = g->ext.globalValue();
    if (v.ok()) fromValue(g->store, *v, out);
  });
}

// wasm.h gives no way to fail: a value of the wrong type, or a set of an
// immutable global, changes nothing.
void wasm_global_set(wasm_global_t *g, const wasm_val_t *val) {
  if (g == nullptr || val == nullptr) return;
  guardedVoid([&] {
    auto type = g->ext.globalType();
    if (!type.ok()) return;
    if (type->type == ValType::FuncRef && val->kind == WASM_FUNCREF && val->of.ref != nullptr) {
      if (wasm_func_t *func = wasm_ref_as_func(val->of.ref)) (void)g->ext.setGlobalValue(func->ext);
      return;
    }
    auto v = toValue(g->store, *val, type->type);
    if (v.ok()) (void)g->ext.setGlobalValue(*v);
  });
}

// ---- Tables -------------------------------------------------------------------

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type, wasm_ref_t *init) {
  if (store == nullptr || type == nullptr || type->element == nullptr) return nullptr;
  return guarded<wasm_table_t *>(nullptr, [&]() -> wasm_table_t * {
    std::optional<ValType> elem = valTypeOf(type->element->kind);
    if (!elem || !isRefType(*elem)) return nullptr;
    auto v = toValue(store, refVal(*elem, init), *elem);
    if (!v.ok()) return nullptr;
    auto e = Extern::hostTable(TableType{*elem, sizeLimitsOf(type->limits)}, *v);
    if (!e.ok()) return nullptr;
    return static_cast<wasm_table_t *>(newExternHandle(store, std::move(*e)));
  });
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_tabletype_t *>(
      nullptr, [&] { return static_cast<wasm_tabletype_t *>(typeOf(t->ext)); });
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_ref_t *>(nullptr, [&]() -> wasm_ref_t * {
    auto v = t->ext.tableGet(index);
    if (!v.ok()) return nullptr;
    wasm_val_t out{};
    fromValue(t->store, *v, &out);
    return out.of.ref;
  });
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref) {
  if (t == nullptr) return false;
  return guarded(false, [&] {
    auto type = t->ext.tableType();
    if (!type.ok()) return false;
    if (type->elem == ValType::FuncRef && ref != nullptr) {
      wasm_func_t *func = wasm_ref_as_func(ref);
      return func != nullptr && t->ext.tableSet(index, func->ext).ok();
    }
    auto v = toValue(t->store, refVal(type->elem, ref), type->elem);
    return v.ok() && t->ext.tableSet(index, *v).ok();
  });
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t) {
  return t != nullptr ? t->ext.tableSize() : 0;
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init) {
  if (t == nullptr) return false;
  return guarded(false, [&] {
    auto type = t->ext.tableType();
    if (!type.ok()) return false;
    if (type->elem == ValType::FuncRef && init != nullptr) {
      wasm_func_t *func = wasm_ref_as_func(init);
      return func != nullptr && t->ext.tableGrow(delta, func->ext).ok();
    }
    auto v = toValue(t->store, refVal(type->elem, init), type->elem);
    return v.ok() && t->ext.tableGrow(delta, *v).ok();
  });
}

// ---- Memories -------------------------------------------------------------------

wasm_memory_t *wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *type) {
  if (store == nullptr || type == nullptr) return nullptr;
  return guarded<wasm_memory_t *>(nullptr, [&]() -> wasm_memory_t * {
    auto e = Extern::hostMemory(MemoryType{sizeLimitsOf(type->limits)});
    if (!e.ok()) return nullptr;
    return static_cast<wasm_memory_t *>(newExternHandle(store, std::move(*e)));
  });
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *m) {
  if (m == nullptr) return nullptr;
  return guarded<wasm_memorytype_t *>(
      nullptr, [&] { return static_cast<wasm_memorytype_t *>(typeOf(m->ext)); });
}

byte_t *wasm_memory_data(wasm_memory_t *m) {
  if (m == nullptr) return nullptr;
  return reinterpret_cast<byte_t *>(m->ext.memoryBytes().data());
}

size_t wasm_memory_data_size(const wasm_memory_t *m) {
  return m != nullptr ? m->ext.memoryBytes().size() : 0;
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *m) {
  return m != nullptr ? wasm_memory_pages_t(m->ext.memoryPages()) : 0;
}

bool wasm_memory_grow(wasm_memory_t *m, wasm_memory_pages_t delta) {
  return m != nullptr && m->ext.memoryGrow(delta).ok();
}

// ---- Externs --------------------------------------------------------------------

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) {
  return e != nullptr ? externKindOf(e->ext.kind()) : wasm_externkind_t(WASM_EXTERN_FUNC);
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
  if (e == nullptr) return nullptr;
  return guarded<wasm_externtype_t *>(nullptr, [&] { return typeOf(e->ext); });
}

#define HALTER_C_EXTERN_CASTS(name, KIND)                                                          \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) {                                     \
    return x;                                                                                      \
  }                                                                                                \
  const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x) {                   \
    return x;                                                                                      \
  }                                                                                                \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                                       \
    return e != nullptr && e->ext.kind() == ExternKind::KIND ? static_cast<wasm_##name##_t *>(e)   \
                                                             : nullptr;                            \
  }                                                                                                \
  const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) {                   \
    return e != nullptr && e->ext.kind() == ExternKind::KIND                                       \
               ? static_cast<const wasm_##name##_t *>(e)                                           \
               : nullptr;                                                                          \
  }
HALTER_C_EXTERN_CASTS(func, Func)
HALTER_C_EXTERN_CASTS(global, Global)
HALTER_C_EXTERN_CASTS(table, Table)
HALTER_C_EXTERN_CASTS(memory, Memory)
#undef HALTER_C_EXTERN_CASTS

} // extern "C"
