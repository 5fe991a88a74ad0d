/* halter_c.h's WASI: a program reads a file beneath a read-only preopen
 * and nothing outside it, writes only beneath a writable one, and its
 * output and exit status come back. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char wasi_dir[4096];

/* Runs guest `name` (a wasm32-wasi program) with `argc` args under a
 * preopen of `host_dir` as /data; its stdout and how it ended. */
static halter_outcome_kind_t runProgram(const char *name, int argc, const char *const *args,
                                        const char *host_dir, bool writable, int *exit_code,
                                        wasm_byte_vec_t *out) {
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.wasm", wasi_dir, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)size);
  if (fread(bytes.data, 1, bytes.size, f) != bytes.size) exit(2);
  fclose(f);
  wasm_module_t *module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  CHECK(module != NULL);

  halter_wasi_config_t *config = halter_wasi_config_new();
  CHECK(halter_wasi_config_set_args(config, (size_t)argc, args));
  CHECK(halter_wasi_config_add_env(config, "MODE", "test"));
  CHECK(!halter_wasi_config_add_env(config, "A=B", "x")); /* '=' in a name */
  CHECK(halter_wasi_config_preopen_dir(config, host_dir, "/data", writable));
  halter_wasi_config_set_deterministic(config, true, 42);
  halter_wasi_t *wasi = halter_wasi_new(store, config);
  halter_wasi_config_delete(config); /* copied: the state stands alone */
  CHECK(wasi != NULL);

  wasm_trap_t *trap = NULL;
  wasm_instance_t *instance = halter_wasi_instance_new(store, module, wasi, &trap);
  CHECK(instance != NULL && trap == NULL);
  wasm_extern_t *start = exportNamed(module, instance, "_start");
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(wasm_extern_as_func(start), &none, &none);
  halter_outcome_kind_t kind = trap == NULL ? HALTER_OUTCOME_RETURNED : halter_trap_outcome(trap);
  *exit_code = trap == NULL ? 0 : halter_trap_exit_code(trap);
  if (trap != NULL) wasm_trap_delete(trap);
  halter_wasi_stdout(wasi, out);

  wasm_extern_delete(start);
  wasm_instance_delete(instance);
  halter_wasi_delete(wasi);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return kind;
}

static bool has(const wasm_byte_vec_t *v, const char *text) {
  size_t n = strlen(text);
  for (size_t i = 0; i + n <= v->size; ++i)
    if (memcmp(v->data + i, text, n) == 0) return true;
  return false;
}

void testWasi(const char *wasi_guest_dir) {
  snprintf(wasi_dir, sizeof wasi_dir, "%s", wasi_guest_dir);
  char dir[] = "/tmp/halter_capi_wasi_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char file[4200];
  snprintf(file, sizeof file, "%s/in.txt", dir);
  FILE *f = fopen(file, "w");
  fputs("granted contents\n", f);
  fclose(f);

  int code = -1;
  wasm_byte_vec_t out;
  const char *cat_in[] = {"cat", "/data/in.txt"};
  CHECK(runProgram("cat", 2, cat_in, dir, false, &code, &out) == HALTER_OUTCOME_RETURNED);
  CHECK(out.size == strlen("granted contents\n") && has(&out, "granted contents\n"));
  wasm_byte_vec_delete(&out);

  /* Nothing outside the preopen: not by "..", not by an absolute path. */
  const char *cat_out[] = {"cat", "/data/../in.txt", "/etc/passwd"};
  CHECK(runProgram("cat", 3, cat_out, dir, false, &code, &out) == HALTER_OUTCOME_EXITED);
  CHECK(code == 1 && out.size == 0);
  wasm_byte_vec_delete(&out);

  /* Writing: refused beneath the read-only grant, done beneath the
   * writable one. */
  const char *fileops[] = {"fileops", "/data"};
  CHECK(runProgram("fileops", 2, fileops, dir, false, &code, &out) != HALTER_OUTCOME_INVALID);
  CHECK(!has(&out, "open: ok"));
  wasm_byte_vec_delete(&out);
  char written[4200];
  snprintf(written, sizeof written, "%s/f.bin", dir);
  CHECK(access(written, F_OK) != 0);
  CHECK(runProgram("fileops", 2, fileops, dir, true, &code, &out) == HALTER_OUTCOME_RETURNED);
  CHECK(has(&out, "open: ok"));
  wasm_byte_vec_delete(&out);
  CHECK(access(written, F_OK) == 0);

  /* A preopen of a missing directory makes no WASI state. */
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  halter_wasi_config_t *config = halter_wasi_config_new();
  CHECK(halter_wasi_config_preopen_dir(config, "/nonexistent/halter", "/x", false));
  CHECK(halter_wasi_new(store, config) == NULL);
  CHECK(strlen(halter_store_last_error(store)) > 0);
  halter_wasi_config_delete(config);
  /* A module with other imports is refused by halter_wasi_instance_new. */
  config = halter_wasi_config_new();
  halter_wasi_t *wasi = halter_wasi_new(store, config);
  halter_wasi_config_delete(config);
  wasm_module_t *hello = guestModule(store, "hello");
  wasm_trap_t *trap = NULL;
  CHECK(halter_wasi_instance_new(store, hello, wasi, &trap) == NULL);
  CHECK(trapSays(trap, "not a WASI function"));
  wasm_module_delete(hello);
  halter_wasi_delete(wasi);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  unlink(written);
  unlink(file);
  rmdir(dir);
}
