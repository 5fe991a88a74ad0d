/* What the standard's own example programs (wasm-c-api's example/) ask of
 * a wasm.h engine, each written here from its behaviour: host functions
 * with and without environments, globals, memories, tables, traps with
 * frames, a failing start, multiple values, reflection and serialization. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

static int hello_calls = 0;

static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  ++hello_calls;
  return NULL;
}

/* The results vector comes sized to the function's type, kinds set. */
static wasm_trap_t *twice(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  int *calls = env;
  ++*calls;
  if (args->size != 1 || args->data[0].kind != WASM_I32 || results->size != 1 ||
      results->data[0].kind != WASM_I32)
    results->data[0].of.i32 = -1000; /* makes the caller's check fail */
  else
    results->data[0].of.i32 = 2 * args->data[0].of.i32;
  return NULL;
}

static wasm_trap_t *offset(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0] = (wasm_val_t)WASM_I32_VAL(*(int *)env);
  return NULL;
}

static int finalized_env = 0;
static void finalizeEnv(void *env) {
  finalized_env += *(int *)env;
}

static void testHelloAndCallback(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "hello");

  wasm_functype_t *unit = wasm_functype_new_0_0();
  wasm_functype_t *i_i = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_functype_t *v_i = wasm_functype_new_0_1(wasm_valtype_new_i32());
  int twice_calls = 0;
  static int offset_value = 100;
  wasm_func_t *hello_func = wasm_func_new(store, unit, hello);
  wasm_func_t *twice_func = wasm_func_new_with_env(store, i_i, twice, &twice_calls, NULL);
  wasm_func_t *offset_func = wasm_func_new_with_env(store, v_i, offset, &offset_value, finalizeEnv);
  /* The function keeps its own copy of the type. */
  wasm_functype_delete(unit);
  wasm_functype_delete(i_i);
  wasm_functype_delete(v_i);
  CHECK(wasm_func_param_arity(twice_func) == 1 && wasm_func_result_arity(twice_func) == 1);

  wasm_extern_t *list[] = {wasm_func_as_extern(hello_func), wasm_func_as_extern(twice_func),
                           wasm_func_as_extern(offset_func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
  CHECK(instance != NULL && trap == NULL);
  /* Imports may go right after instantiation: the instance keeps them. */
  wasm_func_delete(hello_func);
  wasm_func_delete(twice_func);
  wasm_func_delete(offset_func);
  CHECK(finalized_env == 0);

  wasm_extern_t *greet = exportNamed(module, instance, "greet");
  wasm_extern_t *run = exportNamed(module, instance, "run");
  CHECK(greet != NULL && run != NULL);
  CHECK(wasm_extern_kind(run) == WASM_EXTERN_FUNC);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(wasm_extern_as_func(greet), &none, &none) == NULL);
  CHECK(hello_calls == 1);
  CHECK(callI32(wasm_extern_as_func(run), -1, 2, 5, 3) == 2 * 5 + 100 + 3);
  CHECK(twice_calls == 1);

  /* Results vectors too short or too long: written as far as they reach. */
  wasm_val_t args[2] = {WASM_I32_VAL(1), WASM_I32_VAL(1)};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args);
  wasm_val_vec_t no_results = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(wasm_extern_as_func(run), &arg_vec, &no_results) == NULL);
  wasm_val_t wide[3] = {WASM_INIT_VAL, WASM_I32_VAL(77), WASM_I32_VAL(77)};
  wasm_val_vec_t wide_vec = WASM_ARRAY_VEC(wide);
  CHECK(wasm_func_call(wasm_extern_as_func(run), &arg_vec, &wide_vec) == NULL);
  CHECK(wide[0].kind == WASM_I32 && wide[0].of.i32 == 103);
  /* Wrong arguments are a trap, not a crash. */
  wasm_val_t wrong[2] = {WASM_I64_VAL(1), WASM_I32_VAL(1)};
  wasm_val_vec_t wrong_vec = WASM_ARRAY_VEC(wrong);
  CHECK(trapSays(wasm_func_call(wasm_extern_as_func(run), &wrong_vec, &wide_vec), "argument"));
  wasm_val_vec_t one_arg = {1, args};
  CHECK(trapSays(wasm_func_call(wasm_extern_as_func(run), &one_arg, &wide_vec), ""));

  wasm_extern_delete(greet);
  wasm_extern_delete(run);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  /* The environment's finalizer ran once, with the last reference. */
  CHECK(finalized_env == 100);
}

static wasm_func_t *funcOf(wasm_extern_t *e) {
  return e != NULL ? wasm_extern_as_func(e) : NULL;
}

static wasm_val_t callOne(wasm_extern_t *func, const wasm_val_t *arg) {
  wasm_val_t result = WASM_INIT_VAL;
  wasm_val_vec_t args = {arg != NULL ? 1 : 0, (wasm_val_t *)arg};
  wasm_val_vec_t results = {1, &result};
  wasm_trap_t *trap = wasm_func_call(funcOf(func), &args, &results);
  if (trap != NULL) {
    wasm_trap_delete(trap);
    result.kind = WASM_EXTERNREF;
    result.of.ref = NULL;
  }
  return result;
}

static void testGlobals(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "global");

  wasm_globaltype_t *const_f32 = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_CONST);
  wasm_globaltype_t *var_i64 = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t f = WASM_F32_VAL(2.5f), i = WASM_I64_VAL(-3);
  wasm_global_t *in_const = wasm_global_new(store, const_f32, &f);
  wasm_global_t *in_var = wasm_global_new(store, var_i64, &i);
  /* A value of the wrong kind makes no global. */
  CHECK(wasm_global_new(store, const_f32, &i) == NULL);
  wasm_globaltype_delete(const_f32);
  wasm_globaltype_delete(var_i64);

  wasm_extern_t *list[] = {wasm_global_as_extern(in_const), wasm_global_as_extern(in_var)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  CHECK(instance != NULL);

  wasm_extern_t *own_const = exportNamed(module, instance, "own_const");
  wasm_extern_t *own_var = exportNamed(module, instance, "own_var");
  wasm_global_t *own_var_global = wasm_extern_as_global(own_var);
  wasm_globaltype_t *seen = wasm_global_type(own_var_global);
  CHECK(wasm_globaltype_mutability(seen) == WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(seen)) == WASM_F64);
  wasm_globaltype_delete(seen);

  wasm_val_t v;
  wasm_global_get(wasm_extern_as_global(own_const), &v);
  CHECK(v.kind == WASM_I32 && v.of.i32 == 7);
  wasm_global_get(in_const, &v);
  CHECK(v.kind == WASM_F32 && v.of.f32 == 2.5f);

  /* The host sets, the guest sees; the guest sets, the host sees. */
  wasm_val_t nine = WASM_I64_VAL(9);
  wasm_global_set(in_var, &nine);
  wasm_extern_t *get_in_var = exportNamed(module, instance, "get_in_var");
  wasm_val_t got = callOne(get_in_var, NULL);
  CHECK(got.kind == WASM_I64 && got.of.i64 == 9);
  wasm_extern_delete(get_in_var);
  wasm_val_t d = WASM_F64_VAL(6.25);
  wasm_extern_t *set_own = exportNamed(module, instance, "set_own_var");
  wasm_val_vec_t d_vec = {1, &d}, none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(wasm_extern_as_func(set_own), &d_vec, &none) == NULL);
  wasm_global_get(own_var_global, &v);
  CHECK(v.kind == WASM_F64 && v.of.f64 == 6.25);
  wasm_val_t bad = WASM_I32_VAL(1);
  wasm_global_set(own_var_global, &bad); /* wrong kind: ignored */
  wasm_global_get(own_var_global, &v);
  CHECK(v.kind == WASM_F64 && v.of.f64 == 6.25);
  wasm_global_set(wasm_extern_as_global(own_const), &bad); /* immutable: ignored */
  wasm_global_get(wasm_extern_as_global(own_const), &v);
  CHECK(v.of.i32 == 7);

  wasm_extern_delete(set_own);
  wasm_extern_delete(own_const);
  wasm_extern_delete(own_var);
  wasm_instance_delete(instance);
  wasm_global_delete(in_const);
  wasm_global_delete(in_var);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void testMemory(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "memory");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &no_imports, NULL);
  wasm_extern_t *mem_extern = exportNamed(module, instance, "memory");
  wasm_memory_t *memory = wasm_extern_as_memory(mem_extern);
  wasm_func_t *load = funcOf(exportNamed(module, instance, "load"));
  wasm_func_t *store_fn = funcOf(exportNamed(module, instance, "store"));
  wasm_func_t *size = funcOf(exportNamed(module, instance, "size"));

  CHECK(wasm_memory_size(memory) == 2);
  CHECK(wasm_memory_data_size(memory) == 2 * 65536);
  CHECK(wasm_memory_data(memory)[0x1002] == 3);
  CHECK(callI32(load, 99, 1, 0x1003) == 4);
  CHECK(callI32(load, 99, 1, 0x20000) == 99); /* out of bounds: a trap */
  wasm_memory_data(memory)[0x1003] = 9;       /* the host writes, the guest reads */
  CHECK(callI32(load, 99, 1, 0x1003) == 9);
  callI32(store_fn, 0, 2, 0x1ffff, 5);
  CHECK(wasm_memory_data(memory)[0x1ffff] == 5);

  CHECK(wasm_memory_grow(memory, 0)); /* growing by nothing succeeds */
  CHECK(wasm_memory_grow(memory, 1));
  CHECK(wasm_memory_size(memory) == 3 && callI32(size, -1, 0) == 3);
  CHECK(!wasm_memory_grow(memory, 1)); /* past the maximum */
  CHECK(wasm_memory_size(memory) == 3);
  CHECK(callI32(load, 99, 1, 0x2ffff) == 0);

  /* A memory of the host's own, by type. */
  wasm_limits_t limits = {5, 5};
  wasm_memorytype_t *type = wasm_memorytype_new(&limits);
  wasm_memory_t *host_memory = wasm_memory_new(store, type);
  CHECK(host_memory != NULL && wasm_memory_size(host_memory) == 5);
  CHECK(!wasm_memory_grow(host_memory, 1));
  wasm_memorytype_t *seen = wasm_memory_type(host_memory);
  CHECK(wasm_memorytype_limits(seen)->min == 5 && wasm_memorytype_limits(seen)->max == 5);
  wasm_memorytype_delete(seen);
  wasm_memorytype_delete(type);
  wasm_memory_delete(host_memory);

  wasm_func_delete(load);
  wasm_func_delete(store_fn);
  wasm_func_delete(size);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  /* An export outlives its instance and module. */
  CHECK(wasm_memory_data(memory)[0x1002] == 3);
  wasm_extern_delete(mem_extern);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static wasm_trap_t *negateTwice(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0] = (wasm_val_t)WASM_I32_VAL(-2 * args->data[0].of.i32);
  return NULL;
}

static void testTable(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "table");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &no_imports, NULL);
  wasm_extern_t *table_extern = exportNamed(module, instance, "table");
  wasm_table_t *table = wasm_extern_as_table(table_extern);
  wasm_func_t *negate = funcOf(exportNamed(module, instance, "negate"));
  wasm_func_t *call = funcOf(exportNamed(module, instance, "call"));

  CHECK(wasm_table_size(table) == 2);
  wasm_ref_t *null_ref = wasm_table_get(table, 0);
  CHECK(null_ref == NULL);
  wasm_ref_t *one = wasm_table_get(table, 1);
  CHECK(one != NULL && wasm_ref_same(one, wasm_func_as_ref(negate)));
  wasm_ref_delete(one);
  CHECK(wasm_table_get(table, 2) == NULL);
  CHECK(callI32(call, 1000, 2, 1, 21) == -21);
  CHECK(callI32(call, 1000, 2, 0, 21) == 1000); /* null element: a trap */
  CHECK(callI32(call, 1000, 2, 2, 21) == 1000); /* out of range: a trap */

  /* A host function in a table, called from the guest. */
  wasm_functype_t *i_i = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *host = wasm_func_new(store, i_i, negateTwice);
  wasm_functype_delete(i_i);
  CHECK(wasm_table_set(table, 0, wasm_func_as_ref(host)));
  CHECK(!wasm_table_set(table, 2, wasm_func_as_ref(host))); /* past the size */
  wasm_func_delete(host);                                   /* the table keeps it */
  CHECK(callI32(call, 1000, 2, 0, 4) == -8);

  CHECK(wasm_table_grow(table, 3, wasm_func_as_ref(negate)));
  CHECK(wasm_table_size(table) == 5);
  CHECK(callI32(call, 1000, 2, 4, 6) == -6);
  CHECK(wasm_table_grow(table, 0, NULL));
  CHECK(!wasm_table_grow(table, 6, NULL)); /* past the maximum of 10 */
  CHECK(wasm_table_size(table) == 5);
  CHECK(wasm_table_set(table, 1, NULL));
  CHECK(callI32(call, 1000, 2, 1, 6) == 1000);

  /* A table of the host's own. */
  wasm_limits_t limits = {1, 4};
  wasm_tabletype_t *type = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t *host_table = wasm_table_new(store, type, NULL);
  CHECK(host_table != NULL && wasm_table_size(host_table) == 1);
  wasm_tabletype_delete(type);
  wasm_table_delete(host_table);

  wasm_func_delete(negate);
  wasm_func_delete(call);
  wasm_extern_delete(table_extern);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static wasm_store_t *fail_store = NULL;

static wasm_trap_t *failFromHost(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "the host says no");
  wasm_trap_t *trap = wasm_trap_new(fail_store, &message);
  wasm_name_delete(&message);
  return trap;
}

static void testTrap(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  fail_store = store;
  wasm_module_t *module = guestModule(store, "trap");
  wasm_functype_t *v_i = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *fail = wasm_func_new(store, v_i, failFromHost);
  wasm_functype_delete(v_i);
  wasm_extern_t *list[] = {wasm_func_as_extern(fail)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_func_delete(fail);

  wasm_func_t *host_fails = funcOf(exportNamed(module, instance, "host_fails"));
  wasm_func_t *guest_fails = funcOf(exportNamed(module, instance, "guest_fails"));
  wasm_val_t result = WASM_INIT_VAL;
  wasm_val_vec_t none = WASM_EMPTY_VEC, results = {1, &result};

  wasm_trap_t *trap = wasm_func_call(host_fails, &none, &results);
  CHECK(trap != NULL);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_TRAPPED);
  CHECK(trapSays(wasm_trap_copy(trap), "the host says no"));
  wasm_trap_delete(trap);

  trap = wasm_func_call(guest_fails, &none, &results);
  CHECK(trap != NULL);
  wasm_frame_t *origin = wasm_trap_origin(trap);
  CHECK(origin != NULL);
  if (origin != NULL) {
    /* $inner is function 2 (after the import and host_fails); the
     * unreachable is its first instruction. */
    CHECK(wasm_frame_func_index(origin) == 2);
    CHECK(wasm_frame_func_offset(origin) == 1); /* after the locals' count */
    CHECK(wasm_frame_module_offset(origin) > 0);
    wasm_frame_t *copy = wasm_frame_copy(origin);
    CHECK(wasm_frame_func_index(copy) == 2);
    wasm_frame_delete(copy);
    wasm_frame_delete(origin);
  }
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 2);
  if (trace.size == 2) CHECK(wasm_frame_func_index(trace.data[1]) == 3);
  wasm_frame_vec_delete(&trace);
  CHECK(trapSays(trap, "unreachable"));

  /* A trap made by the host has no frames. */
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "made here");
  trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  CHECK(wasm_trap_origin(trap) == NULL);
  CHECK(trapSays(trap, "made here"));

  wasm_func_delete(host_fails);
  wasm_func_delete(guest_fails);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void testStart(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "start");
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_trap_t *trap = NULL;
  CHECK(wasm_instance_new(store, module, &no_imports, &trap) == NULL);
  CHECK(trap != NULL && halter_trap_outcome(trap) == HALTER_OUTCOME_TRAPPED);
  /* halter reports the start function's trap as text (with its backtrace
   * in the message) but without frames. */
  CHECK(wasm_trap_origin(trap) == NULL);
  CHECK(trapSays(trap, "unreachable"));
  /* Without a trap pointer it fails just the same. */
  CHECK(wasm_instance_new(store, module, &no_imports, NULL) == NULL);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static wasm_trap_t *swap(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  for (size_t i = 0; i < 4; ++i) results->data[i] = args->data[3 - i];
  return NULL;
}

static void testMulti(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "multi");
  wasm_valtype_t *p[] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_i64(),
                         wasm_valtype_new_i32()};
  wasm_valtype_t *r[] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_i64(),
                         wasm_valtype_new_i32()};
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_new(&params, 4, p);
  wasm_valtype_vec_new(&results, 4, r);
  wasm_functype_t *type = wasm_functype_new(&params, &results);
  /* swap's results are swapped in kind too: i32 i64 i64 i32 reversed is
   * the same sequence of kinds. */
  wasm_func_t *host = wasm_func_new(store, type, swap);
  wasm_functype_delete(type);
  wasm_extern_t *list[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  wasm_instance_t *instance = wasm_instance_new(store, module, &imports, NULL);
  wasm_func_delete(host);
  wasm_func_t *roundtrip = funcOf(exportNamed(module, instance, "roundtrip"));

  wasm_val_t args[4] = {WASM_I32_VAL(1), WASM_I64_VAL(2), WASM_I64_VAL(3), WASM_I32_VAL(4)};
  wasm_val_t out[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), out_vec = WASM_ARRAY_VEC(out);
  CHECK(wasm_func_call(roundtrip, &arg_vec, &out_vec) == NULL);
  CHECK(out[0].kind == WASM_I32 && out[0].of.i32 == 4);
  CHECK(out[1].kind == WASM_I64 && out[1].of.i64 == 3);
  CHECK(out[2].kind == WASM_I64 && out[2].of.i64 == 2);
  CHECK(out[3].kind == WASM_I32 && out[3].of.i32 == 1);

  wasm_func_delete(roundtrip);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static bool nameIs(const wasm_name_t *n, const char *s) {
  return n->size == strlen(s) && memcmp(n->data, s, n->size) == 0;
}

static void testReflect(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "reflect");
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  CHECK(types.size == 5);
  if (types.size == 5) {
    CHECK(nameIs(wasm_exporttype_name(types.data[0]), "func"));
    const wasm_externtype_t *t = wasm_exporttype_type(types.data[0]);
    CHECK(wasm_externtype_kind(t) == WASM_EXTERN_FUNC);
    const wasm_functype_t *ft = wasm_externtype_as_functype_const(t);
    CHECK(wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 1);
    CHECK(wasm_valtype_kind(wasm_functype_params(ft)->data[1]) == WASM_F64);
    CHECK(wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_I64);

    const wasm_globaltype_t *gt =
        wasm_externtype_as_globaltype_const(wasm_exporttype_type(types.data[1]));
    CHECK(gt != NULL && wasm_globaltype_mutability(gt) == WASM_VAR);
    CHECK(wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F32);

    const wasm_tabletype_t *tt =
        wasm_externtype_as_tabletype_const(wasm_exporttype_type(types.data[2]));
    CHECK(tt != NULL && wasm_tabletype_limits(tt)->min == 3);
    CHECK(wasm_tabletype_limits(tt)->max == wasm_limits_max_default); /* none given */
    CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
    CHECK(wasm_externtype_as_functype_const(wasm_exporttype_type(types.data[2])) == NULL);

    const wasm_memorytype_t *mt =
        wasm_externtype_as_memorytype_const(wasm_exporttype_type(types.data[3]));
    CHECK(mt != NULL && wasm_memorytype_limits(mt)->min == 1 &&
          wasm_memorytype_limits(mt)->max == 4);
    const wasm_tabletype_t *rt =
        wasm_externtype_as_tabletype_const(wasm_exporttype_type(types.data[4]));
    CHECK(rt != NULL && wasm_valtype_kind(wasm_tabletype_element(rt)) == WASM_EXTERNREF);
    CHECK(wasm_valtype_is_ref(wasm_tabletype_element(rt)));

    /* The instance's exports have the same types. */
    wasm_extern_vec_t no_imports = WASM_EMPTY_VEC, exports;
    wasm_instance_t *instance = wasm_instance_new(store, module, &no_imports, NULL);
    wasm_instance_exports(instance, &exports);
    CHECK(exports.size == 5);
    wasm_externtype_t *et = wasm_extern_type(exports.data[3]);
    CHECK(wasm_externtype_kind(et) == WASM_EXTERN_MEMORY);
    CHECK(wasm_memorytype_limits(wasm_externtype_as_memorytype(et))->max == 4);
    wasm_externtype_delete(et);
    wasm_functype_t *f = wasm_func_type(wasm_extern_as_func(exports.data[0]));
    CHECK(wasm_functype_params(f)->size == 2);
    wasm_functype_delete(f);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
  }
  /* A copy of the vector is deep: deleting the original leaves it whole. */
  wasm_exporttype_vec_t copy;
  wasm_exporttype_vec_copy(&copy, &types);
  wasm_exporttype_vec_delete(&types);
  CHECK(copy.size == 5 && nameIs(wasm_exporttype_name(copy.data[4]), "refs"));
  wasm_exporttype_vec_delete(&copy);

  wasm_importtype_vec_t imports;
  wasm_module_t *hello = guestModule(store, "hello");
  wasm_module_imports(hello, &imports);
  CHECK(imports.size == 3);
  if (imports.size == 3) {
    CHECK(nameIs(wasm_importtype_module(imports.data[1]), "host"));
    CHECK(nameIs(wasm_importtype_name(imports.data[1]), "twice"));
    CHECK(wasm_externtype_kind(wasm_importtype_type(imports.data[1])) == WASM_EXTERN_FUNC);
  }
  wasm_importtype_vec_delete(&imports);
  wasm_module_delete(hello);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void testSerialize(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "counter");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  CHECK(serialized.size > 0);
  wasm_module_delete(module);

  wasm_module_t *back = wasm_module_deserialize(store, &serialized);
  CHECK(back != NULL);
  wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, back, &no_imports, NULL);
  wasm_func_t *bump = funcOf(exportNamed(back, instance, "bump"));
  CHECK(callI32(bump, -1, 1, 5) == 5 && callI32(bump, -1, 1, 2) == 7);

  /* Damaged serializations make no module. */
  wasm_byte_vec_t damaged;
  wasm_byte_vec_copy(&damaged, &serialized);
  damaged.data[0] ^= 0xff;
  CHECK(wasm_module_deserialize(store, &damaged) == NULL);
  wasm_byte_vec_delete(&damaged);
  wasm_byte_vec_t truncated = {serialized.size / 2, serialized.data};
  CHECK(wasm_module_deserialize(store, &truncated) == NULL);
  wasm_byte_vec_t raw;
  loadGuest("counter", &raw); /* a plain binary is not a serialization */
  CHECK(wasm_module_deserialize(store, &raw) == NULL);
  CHECK(wasm_module_validate(store, &raw));
  raw.data[raw.size - 1] ^= 0x55;
  CHECK(!wasm_module_validate(store, &raw));
  CHECK(wasm_module_new(store, &raw) == NULL);
  wasm_byte_vec_delete(&raw);
  wasm_byte_vec_delete(&serialized);

  wasm_func_delete(bump);
  wasm_instance_delete(instance);
  wasm_module_delete(back);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

void testStandard(void) {
  testHelloAndCallback();
  testGlobals();
  testMemory();
  testTable();
  testTrap();
  testStart();
  testMulti();
  testReflect();
  testSerialize();
}
