/* The C API tests: every group, then one summary line. */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int checks_passed = 0;
int checks_failed = 0;
static const char *guest_dir = ".";

void loadGuest(const char *name, wasm_byte_vec_t *out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.wasm", guest_dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  if (fread(out->data, 1, (size_t)size, f) != (size_t)size) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  fclose(f);
}

wasm_module_t *guestModule(wasm_store_t *store, const char *name) {
  wasm_byte_vec_t bytes;
  loadGuest(name, &bytes);
  wasm_message_t error;
  wasm_module_t *module = halter_module_new(store, &bytes, &error);
  wasm_byte_vec_delete(&bytes);
  if (module == NULL) {
    fprintf(stderr, "%s.wasm does not compile: %s\n", name, error.data);
    exit(2);
  }
  wasm_byte_vec_delete(&error);
  return module;
}

wasm_extern_t *exportNamed(const wasm_module_t *module, const wasm_instance_t *instance,
                           const char *name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_extern_t *found = NULL;
  for (size_t i = 0; i < types.size && i < exports.size; ++i) {
    const wasm_name_t *n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) {
      found = exports.data[i];
      exports.data[i] = NULL; /* taken: the vector's delete skips it */
      break;
    }
  }
  wasm_extern_vec_delete(&exports);
  wasm_exporttype_vec_delete(&types);
  return found;
}

int32_t callI32(const wasm_func_t *func, int32_t on_trap, int argc, ...) {
  wasm_val_t args[8];
  va_list ap;
  va_start(ap, argc);
  for (int i = 0; i < argc && i < 8; ++i) {
    args[i].kind = WASM_I32;
    args[i].of.i32 = va_arg(ap, int32_t);
  }
  va_end(ap);
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {(size_t)argc, args};
  wasm_val_vec_t result_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t *trap = wasm_func_call(func, &arg_vec, &result_vec);
  if (trap != NULL) {
    wasm_trap_delete(trap);
    return on_trap;
  }
  return results[0].of.i32;
}

bool messageHas(const wasm_message_t *message, const char *part) {
  /* NUL-terminated, as wasm.h's messages are: the NUL is counted. */
  return message->size > 0 && message->data[message->size - 1] == '\0' &&
         strstr(message->data, part) != NULL;
}

bool trapSays(wasm_trap_t *trap, const char *part) {
  if (trap == NULL) return false;
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  bool has = messageHas(&message, part);
  if (!has) fprintf(stderr, "trap message: %.*s\n", (int)message.size, message.data);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);
  return has;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: capi_test GUEST_DIR WASI_GUEST_DIR\n");
    return 2;
  }
  guest_dir = argv[1];
  testStandard();
  testReferences();
  testThreads();
  testExtensions();
  testWasi(argv[2]);
  testMisuse();
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
