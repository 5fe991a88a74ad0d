/* One module shared by threads, each with its own store (wasm.h's
 * threads): wasm_module_share, then wasm_module_obtain in each thread. */
#include "check.h"

#include <pthread.h>

enum { kThreads = 10, kCalls = 200 };

struct Worker {
  const wasm_shared_module_t *shared;
  int id;
  int32_t last; /* bump's result after kCalls calls of bump(id) */
  bool ok;
};

static void *work(void *arg) {
  struct Worker *w = arg;
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = wasm_module_obtain(store, w->shared);
  w->ok = module != NULL;
  if (module != NULL) {
    wasm_extern_vec_t no_imports = WASM_EMPTY_VEC;
    wasm_instance_t *instance = wasm_instance_new(store, module, &no_imports, NULL);
    wasm_extern_t *bump = exportNamed(module, instance, "bump");
    for (int i = 0; i < kCalls; ++i) w->last = callI32(wasm_extern_as_func(bump), -1, 1, w->id);
    wasm_extern_delete(bump);
    wasm_instance_delete(instance);
    wasm_module_delete(module);
  }
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return NULL;
}

void testThreads(void) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = guestModule(store, "counter");
  wasm_shared_module_t *shared = wasm_module_share(module);
  wasm_module_delete(module); /* the shared module stands alone */
  CHECK(shared != NULL);

  pthread_t threads[kThreads];
  struct Worker workers[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    workers[i] = (struct Worker){shared, i + 1, 0, false};
    pthread_create(&threads[i], NULL, work, &workers[i]);
  }
  for (int i = 0; i < kThreads; ++i) {
    pthread_join(threads[i], NULL);
    /* Each instance counted alone: no state leaked between threads. */
    CHECK(workers[i].ok && workers[i].last == kCalls * (i + 1));
  }
  wasm_shared_module_delete(shared);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}
