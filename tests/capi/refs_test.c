/* References: host info and finalizers (wasm.h's finalize), and host
 * references through externref globals, tables, parameters and results
 * (wasm.h's hostref): a reference back from the guest is the same one. */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

static wasm_trap_t *echo(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  /* The argument is owned by the caller: the result needs its own copy. */
  results->data[0].kind = WASM_EXTERNREF;
  results->data[0].of.ref = args->data[0].of.ref ? wasm_ref_copy(args->data[0].of.ref) : NULL;
  return NULL;
}

static int finalized = 0;
static void countFinalized(void *info) {
  finalized += 1;
  (void)info;
}

static wasm_ref_t *callRef(const wasm_func_t *f, int32_t index, const wasm_ref_t *ref, int argc) {
  wasm_val_t args[2];
  size_t n = 0;
  if (index >= 0) args[n++] = (wasm_val_t)WASM_I32_VAL(index);
  if (argc > (index >= 0 ? 1 : 0)) args[n++] = (wasm_val_t)WASM_REF_VAL((wasm_ref_t *)ref);
  wasm_val_t result = WASM_INIT_VAL;
  wasm_val_vec_t arg_vec = {n, args}, result_vec = {1, &result};
  wasm_trap_t *trap = wasm_func_call(f, &arg_vec, &result_vec);
  if (trap != NULL) {
    wasm_trap_delete(trap);
    return (wasm_ref_t *)(intptr_t)-1;
  }
  return result.of.ref;
}

static void testHostRefs(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "hostref");
  wasm_valtype_t *p[] = {wasm_valtype_new(WASM_EXTERNREF)};
  wasm_valtype_t *r[] = {wasm_valtype_new(WASM_EXTERNREF)};
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new(&params, 1, p);
  wasm_valtype_vec_new(&results, 1, r);
  wasm_functype_t *type = wasm_functype_new(&params, &results);
  wasm_func_t *host = wasm_func_new(store, type, echo);
  wasm_functype_delete(type);
  wasm_extern_t *list[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);

  wasm_extern_t *pass = exportNamed(module, instance, "pass");
  wasm_extern_t *keep = exportNamed(module, instance, "keep");
  wasm_extern_t *kept = exportNamed(module, instance, "kept");
  wasm_extern_t *put = exportNamed(module, instance, "put");
  wasm_extern_t *get = exportNamed(module, instance, "get");
  wasm_extern_t *is_null = exportNamed(module, instance, "is_null");
  wasm_extern_t *table_extern = exportNamed(module, instance, "table");
  wasm_extern_t *global_extern = exportNamed(module, instance, "global");

  static int info_a, info_b;
  wasm_foreign_t *a = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(a, &info_a, countFinalized);
  wasm_foreign_t *b = wasm_foreign_new(store);
  wasm_foreign_set_host_info(b, &info_b);
  wasm_ref_t *ref_a = wasm_foreign_as_ref(a);
  wasm_ref_t *ref_b = wasm_foreign_as_ref(b);
  CHECK(!wasm_ref_same(ref_a, ref_b));

  /* Through a parameter and a host function's result. */
  wasm_ref_t *back = callRef(wasm_extern_as_func(pass), -1, ref_a, 1);
  CHECK(back != NULL && wasm_ref_same(back, ref_a));
  CHECK(wasm_ref_get_host_info(back) == &info_a);
  wasm_ref_delete(back);
  CHECK(callRef(wasm_extern_as_func(pass), -1, NULL, 1) == NULL);

  /* Through a global, set by the guest and by the host. */
  callRef(wasm_extern_as_func(keep), -1, ref_b, 1);
  back = callRef(wasm_extern_as_func(kept), -1, NULL, 0);
  CHECK(back != NULL && wasm_ref_same(back, ref_b) && wasm_ref_get_host_info(back) == &info_b);
  wasm_ref_delete(back);
  wasm_val_t v = WASM_REF_VAL(ref_a);
  wasm_global_set(wasm_extern_as_global(global_extern), &v);
  wasm_global_get(wasm_extern_as_global(global_extern), &v);
  CHECK(v.kind == WASM_EXTERNREF && wasm_ref_same(v.of.ref, ref_a));
  wasm_val_delete(&v);

  /* Through a table, by the guest and by the host. */
  wasm_table_t *table = wasm_extern_as_table(table_extern);
  callRef(wasm_extern_as_func(put), 2, ref_b, 2);
  wasm_ref_t *elem = wasm_table_get(table, 2);
  CHECK(elem != NULL && wasm_ref_same(elem, ref_b));
  wasm_ref_delete(elem);
  CHECK(wasm_table_set(table, 3, ref_a));
  back = callRef(wasm_extern_as_func(get), 3, NULL, 1);
  CHECK(back != NULL && wasm_ref_same(back, ref_a));
  wasm_ref_delete(back);
  CHECK(callRef(wasm_extern_as_func(get), 0, NULL, 1) == NULL);
  CHECK(wasm_table_get(table, 0) == NULL);

  /* Null or not, as the guest sees it. */
  wasm_val_t arg = WASM_REF_VAL(NULL), result = WASM_INIT_VAL;
  wasm_val_vec_t arg_vec = {1, &arg}, result_vec = {1, &result};
  CHECK(wasm_func_call(wasm_extern_as_func(is_null), &arg_vec, &result_vec) == NULL &&
        result.of.i32 == 1);
  arg.of.ref = ref_a;
  CHECK(wasm_func_call(wasm_extern_as_func(is_null), &arg_vec, &result_vec) == NULL &&
        result.of.i32 == 0);

  /* A copy is the same reference; the finalizer waits for the last one
   * and for the guest, which still holds `a` in its global and table. */
  wasm_ref_t *copy = wasm_ref_copy(ref_a);
  CHECK(wasm_ref_same(copy, ref_a) && wasm_ref_get_host_info(copy) == &info_a);
  wasm_foreign_delete(a);
  wasm_ref_delete(copy);
  back = callRef(wasm_extern_as_func(kept), -1, NULL, 0);
  CHECK(back != NULL && wasm_ref_get_host_info(back) == &info_a);
  wasm_ref_delete(back);
  CHECK(finalized == 0);

  wasm_foreign_delete(b);
  wasm_extern_delete(pass);
  wasm_extern_delete(keep);
  wasm_extern_delete(kept);
  wasm_extern_delete(put);
  wasm_extern_delete(get);
  wasm_extern_delete(is_null);
  wasm_extern_delete(table_extern);
  wasm_extern_delete(global_extern);
  wasm_func_delete(host);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(finalized == 1); /* gone with the store at the latest */
  wasm_engine_delete(engine);
}

/* Many objects with finalizers: every one runs, once, by the time its
 * store is deleted (wasm.h's finalize). */
static int object_finalized = 0;
static void countObject(void *info) {
  ++object_finalized;
  free(info);
}

static void testFinalizers(void) {
  enum { kInstances = 3000 };
  object_finalized = 0;
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "counter");
  wasm_module_set_host_info_with_finalizer(module, malloc(4), countObject);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  for (int i = 0; i < kInstances; ++i) {
    wasm_instance_t *instance = wasm_instance_new(store, module, &no_imports, NULL);
    wasm_instance_set_host_info_with_finalizer(instance, malloc(4), countObject);
    wasm_extern_t *bump = exportNamed(module, instance, "bump");
    wasm_extern_set_host_info_with_finalizer(bump, malloc(4), countObject);
    /* A second handle of the same function shares its host info. */
    wasm_extern_t *again = exportNamed(module, instance, "bump");
    CHECK(wasm_extern_get_host_info(again) == wasm_extern_get_host_info(bump));
    wasm_instance_delete(instance);
    wasm_extern_delete(bump);
    wasm_extern_delete(again);
  }
  CHECK(object_finalized == 2 * kInstances);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK(object_finalized == 2 * kInstances + 1);
  wasm_engine_delete(engine);
}

void testReferences(void) {
  testHostRefs();
  testFinalizers();
}
