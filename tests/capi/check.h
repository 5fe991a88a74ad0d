/* A small harness for the C API tests, in C: CHECK counts and reports,
 * and the guest helpers load wasm files built from guests/ (argv[1]). */
#ifndef HALTER_CAPI_CHECK_H
#define HALTER_CAPI_CHECK_H

#include <halter_c.h>
#include <wasm.h>

#include <stdbool.h>
#include <stdio.h>

extern int checks_passed;
extern int checks_failed;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (cond) {                                                                                    \
      ++checks_passed;                                                                             \
    } else {                                                                                       \
      ++checks_failed;                                                                             \
      fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);                             \
    }                                                                                              \
  } while (0)

/* The guest `name`.wasm from the guest folder, or exits the test. */
void loadGuest(const char *name, wasm_byte_vec_t *out);
/* A module of `store` from guest `name` (exits when it does not compile). */
wasm_module_t *guestModule(wasm_store_t *store, const char *name);
/* The export called `name` of `instance` (a new extern; NULL if none). */
wasm_extern_t *exportNamed(const wasm_module_t *module, const wasm_instance_t *instance,
                           const char *name);
/* `func` called with i32 arguments; its first result, or `on_trap` when it
 * traps (the trap's message is printed when `quiet` is false). */
int32_t callI32(const wasm_func_t *func, int32_t on_trap, int argc, ...);
/* True when `message` (a trap's, NUL-terminated) contains `part`. */
bool messageHas(const wasm_message_t *message, const char *part);
/* Same, for the message of `trap`, which is deleted (owned). */
bool trapSays(wasm_trap_t *trap, const char *part);

/* The test groups (one file each). */
void testStandard(void);   /* what wasm.h's own examples do */
void testReferences(void); /* host info, finalizers, externref */
void testThreads(void);    /* shared modules across threads */
void testExtensions(void); /* halter_c.h: limits, cancel, suspend */
void testWasi(const char *wasi_guest_dir);
void testMisuse(void);

#endif
