/* Misuse answered with errors, never a crash: NULL handles, wrong kinds
 * and types, wrong import lists, calls of finished executions. (A double
 * delete cannot be detected through wasm.h's raw pointers; it is the
 * caller's error, as in every engine.) */
#include "check.h"

#include <string.h>

static wasm_trap_t *nothing(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  return NULL;
}

void testMisuse(void) {
  /* NULL everywhere. */
  CHECK(wasm_store_new(NULL) == NULL);
  CHECK(wasm_module_new(NULL, NULL) == NULL);
  CHECK(!wasm_module_validate(NULL, NULL));
  CHECK(wasm_instance_new(NULL, NULL, NULL, NULL) == NULL);
  wasm_trap_t *trap = wasm_func_call(NULL, NULL, NULL);
  CHECK(trap != NULL && halter_trap_outcome(trap) == HALTER_OUTCOME_INVALID);
  wasm_trap_delete(trap);
  CHECK(halter_func_start(NULL, NULL) == NULL);
  CHECK(halter_execution_run(NULL) == HALTER_OUTCOME_INVALID);
  wasm_val_vec_t vals;
  CHECK(!halter_execution_results(NULL, &vals) && vals.size == 0);
  CHECK(!halter_execution_resume(NULL, NULL));
  CHECK(!halter_instance_reset(NULL, false));
  CHECK(halter_trap_outcome(NULL) == HALTER_OUTCOME_INVALID);
  CHECK(!halter_store_set_limits(NULL, NULL));
  CHECK(halter_store_cancel_handle(NULL) == NULL);
  halter_cancel(NULL);
  CHECK(!halter_caller_write(0, "x", 1));
  CHECK(wasm_extern_as_func(NULL) == NULL);
  CHECK(wasm_memory_size(NULL) == 0 && wasm_memory_data(NULL) == NULL);
  CHECK(!wasm_memory_grow(NULL, 1));
  CHECK(wasm_table_size(NULL) == 0 && wasm_table_get(NULL, 0) == NULL);
  CHECK(wasm_func_new(NULL, NULL, nothing) == NULL);
  CHECK(wasm_global_new(NULL, NULL, NULL) == NULL);
  wasm_module_delete(NULL);
  wasm_instance_delete(NULL);
  wasm_func_delete(NULL);
  wasm_trap_delete(NULL);
  wasm_store_delete(NULL);
  wasm_engine_delete(NULL);
  wasm_byte_vec_delete(NULL);
  halter_execution_delete(NULL);
  halter_wasi_delete(NULL);
  halter_cancel_delete(NULL);

  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *hello = guestModule(store, "hello");
  wasm_module_t *memory_module = guestModule(store, "memory");
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t *mem_instance = wasm_instance_new(store, memory_module, &none, NULL);
  wasm_extern_t *memory = exportNamed(memory_module, mem_instance, "memory");
  wasm_extern_t *load = exportNamed(memory_module, mem_instance, "load");

  /* Kinds: a memory is not a function, and back. */
  CHECK(wasm_extern_as_func(memory) == NULL && wasm_extern_as_memory(memory) != NULL);
  CHECK(wasm_extern_as_table(load) == NULL && wasm_extern_as_global(load) == NULL);

  /* Import lists: too short, NULL inside, a wrong kind, a wrong type. */
  trap = NULL;
  CHECK(wasm_instance_new(store, hello, &none, &trap) == NULL);
  CHECK(trapSays(trap, "imports"));
  wasm_extern_t *with_null[] = {memory, NULL, memory};
  wasm_extern_vec_t null_vec = WASM_ARRAY_VEC(with_null);
  trap = NULL;
  CHECK(wasm_instance_new(store, hello, &null_vec, &trap) == NULL && trap != NULL);
  wasm_trap_delete(trap);
  wasm_extern_t *wrong_kind[] = {memory, memory, memory};
  wasm_extern_vec_t kind_vec = WASM_ARRAY_VEC(wrong_kind);
  trap = NULL;
  CHECK(wasm_instance_new(store, hello, &kind_vec, &trap) == NULL && trap != NULL);
  wasm_trap_delete(trap);
  wasm_extern_t *wrong_type[] = {load, load, load}; /* (i32)->i32 for ()->() */
  wasm_extern_vec_t type_vec = WASM_ARRAY_VEC(wrong_type);
  trap = NULL;
  CHECK(wasm_instance_new(store, hello, &type_vec, &trap) == NULL && trap != NULL);
  wasm_trap_delete(trap);

  /* Calls: no arguments for a function that takes one. */
  trap = wasm_func_call(wasm_extern_as_func(load), NULL, NULL);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  wasm_val_t results[1];
  wasm_val_vec_t result_vec = {1, results};
  wasm_val_vec_t null_data = {1, NULL};
  trap = wasm_func_call(wasm_extern_as_func(load), &null_data, &result_vec);
  CHECK(trap != NULL);
  wasm_trap_delete(trap);
  CHECK(halter_func_start(wasm_extern_as_func(load), NULL) == NULL);
  CHECK(strlen(halter_store_last_error(store)) > 0);

  /* A foreign reference is not a function: not into a funcref table. */
  wasm_limits_t limits = {2, 2};
  wasm_tabletype_t *type = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t *table = wasm_table_new(store, type, NULL);
  wasm_tabletype_delete(type);
  wasm_foreign_t *foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(foreign)));
  CHECK(!wasm_table_grow(table, 1, wasm_foreign_as_ref(foreign)));
  CHECK(wasm_table_size(table) == 2);
  wasm_foreign_delete(foreign);
  wasm_table_delete(table);

  /* Types that cannot be: a memory whose maximum is below its minimum. */
  wasm_limits_t backwards = {3, 1};
  wasm_memorytype_t *mt = wasm_memorytype_new(&backwards);
  CHECK(wasm_memory_new(store, mt) == NULL);
  wasm_memorytype_delete(mt);

  wasm_extern_delete(memory);
  wasm_extern_delete(load);
  wasm_instance_delete(mem_instance);
  wasm_module_delete(memory_module);
  wasm_module_delete(hello);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}
