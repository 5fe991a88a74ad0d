/* halter_c.h: each limit ends in its outcome, cancel from another thread,
 * host calls that park the guest and resume with a value or an error,
 * re-entrancy refused, exits, caller memory, reset and snapshots. */
#include "check.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

/* The "host" "wait" import: what it does is set by the test. */
enum WaitMode { kSuspend, kReadCaller, kExit, kTrap };
static enum WaitMode wait_mode = kSuspend;
static wasm_store_t *host_store = NULL;
static bool caller_ok = false;

static wasm_trap_t *waitHost(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  switch (wait_mode) {
  case kSuspend:
    return halter_suspend(host_store);
  case kReadCaller: {
    uint32_t word = 0;
    uint32_t marked = 7;
    caller_ok = halter_caller_read(64, &word, sizeof word) && word == 0x2a2a2a2a &&
                halter_caller_write(64, &marked, sizeof marked) &&
                !halter_caller_read(65536 - 2, &word, sizeof word); /* past the end */
    results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32);
    return NULL;
  }
  case kExit:
    return halter_exit(host_store, 3);
  case kTrap:
    break;
  }
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "wait failed");
  wasm_trap_t *trap = wasm_trap_new(host_store, &message);
  wasm_name_delete(&message);
  return trap;
}

/* The "host" "reenter" import calls back into its instance: allowed, as
 * wasm.h's callbacks may (only a parked instance refuses calls). */
static wasm_func_t *seven = NULL;

static wasm_trap_t *reenterHost(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_val_t result = WASM_INIT_VAL;
  wasm_val_vec_t none = WASM_EMPTY_VEC, result_vec = {1, &result};
  wasm_trap_t *trap = wasm_func_call(seven, &none, &result_vec);
  if (trap != NULL) CHECK(trapSays(trap, "(nested call)"));
  results->data[0] = (wasm_val_t)WASM_I32_VAL(trap != NULL ? -1 : result.of.i32);
  return NULL;
}

struct Guest {
  wasm_engine_t *engine;
  wasm_store_t *store;
  wasm_module_t *module;
  wasm_instance_t *instance;
};

static struct Guest newGuest(const halter_limits_t *limits) {
  struct Guest g;
  g.engine = wasm_engine_new();
  g.store = wasm_store_new(g.engine);
  host_store = g.store;
  if (limits != NULL) CHECK(halter_store_set_limits(g.store, limits));
  g.module = guestModule(g.store, "limits");
  wasm_functype_t *i_i = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_functype_t *v_i = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *wait = wasm_func_new(g.store, i_i, waitHost);
  wasm_func_t *reenter = wasm_func_new(g.store, v_i, reenterHost);
  wasm_functype_delete(i_i);
  wasm_functype_delete(v_i);
  wasm_extern_t *list[] = {wasm_func_as_extern(wait), wasm_func_as_extern(reenter)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(list);
  g.instance = wasm_instance_new(g.store, g.module, &imports, NULL);
  CHECK(g.instance != NULL);
  wasm_func_delete(wait);
  wasm_func_delete(reenter);
  return g;
}

static void deleteGuest(struct Guest *g) {
  wasm_instance_delete(g->instance);
  wasm_module_delete(g->module);
  wasm_store_delete(g->store);
  wasm_engine_delete(g->engine);
}

/* How a call of export `name` with one i32 argument (or none) ended. */
static halter_outcome_kind_t outcomeOf(struct Guest *g, const char *name, int argc, int32_t arg) {
  wasm_extern_t *f = exportNamed(g->module, g->instance, name);
  wasm_val_t a = WASM_I32_VAL(arg), r = WASM_INIT_VAL;
  wasm_val_vec_t args = {(size_t)argc, &a}, results = {1, &r};
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(f), &args, &results);
  wasm_extern_delete(f);
  halter_outcome_kind_t kind = trap == NULL ? HALTER_OUTCOME_RETURNED : halter_trap_outcome(trap);
  if (trap != NULL) wasm_trap_delete(trap);
  return kind;
}

static int32_t resultOf(struct Guest *g, const char *name, int32_t arg) {
  wasm_extern_t *f = exportNamed(g->module, g->instance, name);
  int32_t r = callI32(wasm_extern_as_func(f), -999, 1, arg);
  wasm_extern_delete(f);
  return r;
}

static void testLimits(void) {
  halter_limits_t limits;
  halter_limits_init(&limits);
  CHECK(!limits.has_fuel && limits.timeout_ns == 0 && limits.max_call_depth > 0);

  limits.has_fuel = true;
  limits.fuel = 100000;
  struct Guest g = newGuest(&limits);
  CHECK(outcomeOf(&g, "spin", 0, 0) == HALTER_OUTCOME_OUT_OF_FUEL);
  CHECK(resultOf(&g, "count", 100) == 100); /* each call has the budget anew */
  deleteGuest(&g);

  halter_limits_init(&limits);
  limits.timeout_ns = 50 * 1000 * 1000;
  g = newGuest(&limits);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK(outcomeOf(&g, "spin", 0, 0) == HALTER_OUTCOME_DEADLINE);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK(seconds >= 0.05 && seconds < 5.0);
  deleteGuest(&g);

  halter_limits_init(&limits);
  limits.max_memory_bytes = 2 * 65536;
  limits.max_table_elements = 5;
  limits.max_call_depth = 200;
  g = newGuest(&limits);
  CHECK(resultOf(&g, "grow_memory", 1) == 1);
  CHECK(resultOf(&g, "grow_memory", 1) == -1); /* past the cap: memory.grow fails */
  CHECK(resultOf(&g, "grow_table", 4) == 1);
  CHECK(resultOf(&g, "grow_table", 1) == -1);
  wasm_extern_t *recurse = exportNamed(g.module, g.instance, "recurse");
  wasm_val_t a = WASM_I32_VAL(0), r = WASM_INIT_VAL;
  wasm_val_vec_t args = {1, &a}, results = {1, &r};
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(recurse), &args, &results);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_TRAPPED);
  CHECK(trapSays(trap, "call stack exhausted"));
  wasm_extern_delete(recurse);
  deleteGuest(&g);

  /* A memory cap below what the module needs fails instantiation. */
  halter_limits_init(&limits);
  limits.max_memory_bytes = 100;
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  CHECK(halter_store_set_limits(store, &limits));
  wasm_module_t *counter = guestModule(store, "counter");
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  trap = NULL;
  CHECK(wasm_instance_new(store, counter, &none, &trap) == NULL);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_INVALID);
  CHECK(trapSays(trap, "memory"));
  wasm_module_delete(counter);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  /* A start function stopped by a limit fails instantiation with that
   * limit's outcome. */
  halter_limits_init(&limits);
  limits.has_fuel = true;
  limits.fuel = 5000;
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  CHECK(halter_store_set_limits(store, &limits));
  wasm_module_t *start_spin = guestModule(store, "start_spin");
  trap = NULL;
  CHECK(wasm_instance_new(store, start_spin, &none, &trap) == NULL);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_OUT_OF_FUEL);
  wasm_trap_delete(trap);
  limits.has_fuel = false;
  limits.timeout_ns = 20 * 1000 * 1000;
  CHECK(halter_store_set_limits(store, &limits));
  trap = NULL;
  CHECK(wasm_instance_new(store, start_spin, &none, &trap) == NULL);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_DEADLINE);
  wasm_trap_delete(trap);
  wasm_module_delete(start_spin);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  /* Limits no call can run under are refused. */
  halter_limits_init(&limits);
  limits.max_call_depth = 0;
  engine = wasm_engine_new();
  store = wasm_store_new(engine);
  CHECK(!halter_store_set_limits(store, &limits));
  CHECK(strlen(halter_store_last_error(store)) > 0);
  CHECK(!halter_store_set_limits(store, NULL));
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

struct Canceller {
  const halter_cancel_t *handle;
  halter_execution_t *exec;
};

static void *cancelSoon(void *arg) {
  struct Canceller *c = arg;
  struct timespec pause = {0, 30 * 1000 * 1000};
  nanosleep(&pause, NULL);
  if (c->handle != NULL) halter_cancel(c->handle);
  if (c->exec != NULL) halter_execution_cancel(c->exec);
  return NULL;
}

static void testCancel(void) {
  struct Guest g = newGuest(NULL);
  halter_cancel_t *handle = halter_store_cancel_handle(g.store);
  CHECK(handle != NULL);
  struct Canceller c = {handle, NULL};
  pthread_t thread;
  pthread_create(&thread, NULL, cancelSoon, &c);
  CHECK(outcomeOf(&g, "spin", 0, 0) == HALTER_OUTCOME_CANCELLED);
  pthread_join(thread, NULL);
  /* Cancelled stays cancelled until renewed. */
  CHECK(outcomeOf(&g, "seven", 0, 0) == HALTER_OUTCOME_CANCELLED);
  halter_store_renew_cancel(g.store);
  CHECK(outcomeOf(&g, "seven", 0, 0) == HALTER_OUTCOME_RETURNED);
  /* The old handle no longer reaches the store's new token. */
  halter_cancel(handle);
  CHECK(outcomeOf(&g, "seven", 0, 0) == HALTER_OUTCOME_RETURNED);

  /* One execution, cancelled from another thread. */
  wasm_extern_t *spin = exportNamed(g.module, g.instance, "spin");
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  halter_execution_t *exec = halter_func_start(wasm_extern_as_func(spin), &none);
  CHECK(exec != NULL);
  struct Canceller c2 = {NULL, exec};
  pthread_create(&thread, NULL, cancelSoon, &c2);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_CANCELLED);
  pthread_join(thread, NULL);
  wasm_trap_t *trap = halter_execution_trap(exec);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_CANCELLED);
  wasm_trap_delete(trap);
  halter_execution_delete(exec);
  wasm_extern_delete(spin);
  deleteGuest(&g);
  /* The handle outlives the store. */
  halter_cancel(handle);
  halter_cancel_delete(handle);
}

static void testFuelExecution(void) {
  halter_limits_t limits;
  halter_limits_init(&limits);
  limits.has_fuel = true;
  limits.fuel = 1000;
  struct Guest g = newGuest(&limits);
  wasm_extern_t *count = exportNamed(g.module, g.instance, "count");
  wasm_val_t arg = WASM_I32_VAL(100000);
  wasm_val_vec_t args = {1, &arg};
  halter_execution_t *exec = halter_func_start(wasm_extern_as_func(count), &args);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_OUT_OF_FUEL);
  CHECK(halter_execution_fuel_left(exec) == 0);
  uint64_t used = halter_execution_fuel_used(exec);
  CHECK(used >= 1000);
  wasm_val_vec_t results;
  CHECK(!halter_execution_results(exec, &results) && results.size == 0);
  /* More fuel, and the call goes on from where it stopped. */
  halter_execution_add_fuel(exec, 100000000);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_RETURNED);
  CHECK(halter_execution_results(exec, &results));
  CHECK(results.size == 1 && results.data[0].of.i32 == 100000);
  wasm_val_vec_delete(&results);
  CHECK(halter_execution_fuel_used(exec) > used);
  /* Finished: running again is misuse. */
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_INVALID);
  CHECK(strlen(halter_execution_last_error(exec)) > 0);
  halter_execution_delete(exec);
  wasm_extern_delete(count);
  deleteGuest(&g);
}

static void testSuspend(void) {
  struct Guest g = newGuest(NULL);
  wasm_extern_t *park = exportNamed(g.module, g.instance, "park");
  wasm_val_t arg = WASM_I32_VAL(5);
  wasm_val_vec_t args = {1, &arg};
  wait_mode = kSuspend;

  /* Resumed with a value, after the host looked into and changed memory. */
  halter_execution_t *exec = halter_func_start(wasm_extern_as_func(park), &args);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_SUSPENDED);
  wasm_name_t module, name;
  wasm_val_vec_t pending_args;
  CHECK(halter_execution_pending(exec, &module, &name, &pending_args));
  CHECK(pending_args.size == 1 && pending_args.data[0].kind == WASM_I32 &&
        pending_args.data[0].of.i32 == 5);
  CHECK(module.size >= 1 && module.data[module.size - 1] == '\0'); /* NUL-terminated */
  wasm_name_delete(&module);
  wasm_name_delete(&name);
  wasm_val_vec_delete(&pending_args);
  uint32_t word = 0;
  CHECK(halter_execution_read_memory(exec, 64, &word, sizeof word) && word == 0x2a2a2a2a);
  uint32_t one = 1;
  CHECK(halter_execution_write_memory(exec, 64, &one, sizeof one));
  CHECK(!halter_execution_read_memory(exec, 65535, &word, sizeof word));
  /* While parked, the instance refuses any other call at once. */
  wasm_extern_t *seven_extern = exportNamed(g.module, g.instance, "seven");
  wasm_val_vec_t no_args = WASM_EMPTY_VEC;
  wasm_val_t seven_result = WASM_INIT_VAL;
  wasm_val_vec_t seven_results = {1, &seven_result};
  wasm_trap_t *refused =
      wasm_func_call(wasm_extern_as_func(seven_extern), &no_args, &seven_results);
  CHECK(halter_trap_outcome(refused) == HALTER_OUTCOME_INVALID);
  CHECK(trapSays(refused, "paused execution"));
  CHECK(halter_func_start(wasm_extern_as_func(seven_extern), &no_args) == NULL);
  CHECK(strstr(halter_store_last_error(g.store), "paused execution") != NULL);
  wasm_extern_delete(seven_extern);
  /* A result of the wrong type is refused; the call stays parked. */
  wasm_val_t wrong = WASM_F64_VAL(1.0);
  wasm_val_vec_t wrong_vec = {1, &wrong};
  CHECK(!halter_execution_resume(exec, &wrong_vec));
  CHECK(strlen(halter_execution_last_error(exec)) > 0);
  wasm_val_t answer = WASM_I32_VAL(10);
  wasm_val_vec_t answer_vec = {1, &answer};
  CHECK(halter_execution_resume(exec, &answer_vec));
  CHECK(!halter_execution_resume(exec, &answer_vec)); /* nothing pending any more */
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_RETURNED);
  wasm_val_vec_t results;
  CHECK(halter_execution_results(exec, &results) && results.data[0].of.i32 == 11);
  wasm_val_vec_delete(&results);
  halter_execution_delete(exec);

  /* Resumed with an error: the guest traps with it. */
  exec = halter_func_start(wasm_extern_as_func(park), &args);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_SUSPENDED);
  CHECK(halter_execution_resume_with_error(exec, "no such job"));
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_TRAPPED);
  CHECK(trapSays(halter_execution_trap(exec), "no such job"));
  halter_execution_delete(exec);

  /* A parked call abandoned: the instance takes calls again. */
  exec = halter_func_start(wasm_extern_as_func(park), &args);
  CHECK(halter_execution_run(exec) == HALTER_OUTCOME_SUSPENDED);
  halter_execution_delete(exec);
  CHECK(outcomeOf(&g, "seven", 0, 0) == HALTER_OUTCOME_RETURNED);

  /* Under wasm_func_call, which cannot wait, suspending is a trap. */
  CHECK(outcomeOf(&g, "park", 1, 5) == HALTER_OUTCOME_TRAPPED);

  /* Exits, traps, and the caller's memory from inside the callback. */
  wait_mode = kExit;
  wasm_val_t r = WASM_INIT_VAL;
  wasm_val_vec_t result_vec = {1, &r};
  wasm_trap_t *trap = wasm_func_call(wasm_extern_as_func(park), &args, &result_vec);
  CHECK(halter_trap_outcome(trap) == HALTER_OUTCOME_EXITED && halter_trap_exit_code(trap) == 3);
  wasm_trap_delete(trap);
  wait_mode = kTrap;
  CHECK(trapSays(wasm_func_call(wasm_extern_as_func(park), &args, &result_vec), "wait failed"));
  wait_mode = kReadCaller;
  CHECK(resultOf(&g, "park", 5) == 5 + 7);
  CHECK(caller_ok);
  uint32_t outside;
  CHECK(!halter_caller_read(64, &outside, sizeof outside)); /* not in a callback */
  wait_mode = kSuspend;

  /* A host call may call into its own instance. */
  seven = wasm_extern_as_func(exportNamed(g.module, g.instance, "seven"));
  wasm_extern_t *reenter = exportNamed(g.module, g.instance, "reenter");
  CHECK(callI32(wasm_extern_as_func(reenter), -1, 0) == 7);
  wasm_extern_delete(reenter);
  wasm_func_delete(seven);
  seven = NULL;

  wasm_extern_delete(park);
  deleteGuest(&g);
}

static void testResetAndSnapshot(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "counter");
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t *instance = wasm_instance_new(store, module, &none, NULL);
  wasm_extern_t *bump = exportNamed(module, instance, "bump");
  wasm_extern_t *grow = exportNamed(module, instance, "grow");
  wasm_extern_t *mem = exportNamed(module, instance, "memory");

  CHECK(callI32(wasm_extern_as_func(bump), -1, 1, 5) == 5);
  CHECK(callI32(wasm_extern_as_func(grow), -1, 0) == 1);
  CHECK(wasm_memory_size(wasm_extern_as_memory(mem)) == 2);
  CHECK(halter_instance_reset(instance, true));
  CHECK(callI32(wasm_extern_as_func(bump), -1, 1, 1) == 1);
  CHECK(wasm_memory_size(wasm_extern_as_memory(mem)) == 1); /* shrunk back */

  CHECK(callI32(wasm_extern_as_func(bump), -1, 1, 4) == 5);
  wasm_byte_vec_t snap;
  CHECK(halter_instance_snapshot(instance, true, &snap) && snap.size > 0);
  wasm_instance_t *copy = halter_instance_restore(store, module, &none, &snap);
  CHECK(copy != NULL);
  wasm_extern_t *copy_bump = exportNamed(module, copy, "bump");
  CHECK(callI32(wasm_extern_as_func(copy_bump), -1, 1, 1) == 6);
  CHECK(callI32(wasm_extern_as_func(bump), -1, 1, 0) == 5); /* the original is apart */
  wasm_extern_delete(copy_bump);
  wasm_instance_delete(copy);

  /* Corrupted, truncated or another module's snapshots are refused. */
  wasm_byte_vec_t bad;
  wasm_byte_vec_copy(&bad, &snap);
  bad.data[bad.size / 2] ^= 0x40;
  CHECK(halter_instance_restore(store, module, &none, &bad) == NULL);
  CHECK(strlen(halter_store_last_error(store)) > 0);
  wasm_byte_vec_delete(&bad);
  wasm_byte_vec_t cut = {snap.size - 3, snap.data};
  CHECK(halter_instance_restore(store, module, &none, &cut) == NULL);
  wasm_module_t *other = guestModule(store, "memory");
  CHECK(halter_instance_restore(store, other, &none, &snap) == NULL);
  wasm_module_delete(other);
  wasm_byte_vec_delete(&snap);

  wasm_extern_delete(bump);
  wasm_extern_delete(grow);
  wasm_extern_delete(mem);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

static void testModuleErrors(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_byte_vec_t bytes;
  loadGuest("counter", &bytes);
  bytes.data[bytes.size - 2] = 0x07; /* memory.grow's reserved zero byte */
  wasm_message_t error;
  CHECK(halter_module_new(store, &bytes, &error) == NULL);
  CHECK(messageHas(&error, "byte"));
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&bytes);
  CHECK(strcmp(halter_outcome_name(HALTER_OUTCOME_DEADLINE), "deadline exceeded") == 0);
  CHECK(strcmp(halter_outcome_name(200), "invalid") == 0);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

void testExtensions(void) {
  testLimits();
  testCancel();
  testFuelExecution();
  testSuspend();
  testResetAndSnapshot();
  testModuleErrors();
}
