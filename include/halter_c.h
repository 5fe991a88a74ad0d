/* halter's extensions to the standard WebAssembly C API (wasm.h).
 *
 * Include wasm.h's objects with this header: limits that hold (fuel,
 * timeout, memory, table and stack caps) on a store, a cancel handle for
 * any thread, calls that return how they ended instead of only a trap,
 * host functions that park the guest until the embedder answers, WASI,
 * reset and snapshots. The C++ API (halter/halter.h) says the same in
 * more detail; these functions are a noexcept layer over it.
 *
 * Conventions (as wasm.h's): `own` marks ownership passed; every function
 * taking a handle accepts NULL and then fails (returns false, NULL, 0 or
 * HALTER_OUTCOME_INVALID) without touching memory; no C++ exception
 * crosses into C. A store and what was made in it are used by one thread
 * at a time, except halter_cancel, which any thread may call.
 * Failures of functions with a store say why in halter_store_last_error.
 */
#ifndef HALTER_C_H
#define HALTER_C_H

#include <wasm.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define own

/* ---- How a call ended ---------------------------------------------- */

typedef uint8_t halter_outcome_kind_t;
enum halter_outcome_kind_enum {
  HALTER_OUTCOME_RETURNED,
  HALTER_OUTCOME_TRAPPED,
  HALTER_OUTCOME_OUT_OF_FUEL,  /* halter_execution_add_fuel, then run again */
  HALTER_OUTCOME_DEADLINE,     /* the store's timeout passed */
  HALTER_OUTCOME_CANCELLED,    /* halter_cancel */
  HALTER_OUTCOME_SUSPENDED,    /* a host function answered halter_suspend */
  HALTER_OUTCOME_EXITED,       /* the guest ended itself (WASI proc_exit) */
  HALTER_OUTCOME_INVALID = 255 /* misuse: see halter_store_last_error */
};

/* "returned", "trapped", "out of fuel", "deadline exceeded", "cancelled",
 * "suspended", "exited"; "invalid" for anything else. Static storage. */
const char *halter_outcome_name(halter_outcome_kind_t kind);

/* A trap returned by wasm_func_call or wasm_instance_new records how the
 * call ended: HALTER_OUTCOME_TRAPPED for a WebAssembly trap (or a host
 * function's), another kind when a limit stopped it. NULL gives INVALID. */
halter_outcome_kind_t halter_trap_outcome(const wasm_trap_t *trap);
/* The exit code of an EXITED trap (0 otherwise). */
int halter_trap_exit_code(const wasm_trap_t *trap);

/* ---- Limits --------------------------------------------------------- */

typedef struct halter_limits_t {
  bool has_fuel; /* metered: the call may use `fuel` units */
  uint64_t fuel;
  uint64_t timeout_ns;         /* wall-clock budget of each call; 0: none */
  uint64_t max_memory_bytes;   /* cap on each memory an instance defines; 0: type's maximum */
  uint64_t max_table_elements; /* cap on each table an instance defines; 0: 10,000,000 */
  uint32_t max_call_depth;     /* guest frames; beyond: trap "call stack exhausted" */
  uint64_t max_stack_bytes;    /* value-stack bytes of one call */
} halter_limits_t;

/* Fills `out` with the defaults: no fuel, no timeout, no caps, depth
 * 10,000, 8 MiB of value stack. */
void halter_limits_init(halter_limits_t *out);

/* Limits for the store's later instantiations (caps, and the start
 * function's budget) and calls (fuel, timeout, depth). A copy is kept.
 * Fails (false) for NULL or limits no call can run under (depth 0). */
bool halter_store_set_limits(wasm_store_t *store, const halter_limits_t *limits);

/* The last failure of a halter_* function of this store, as text (never
 * NULL; "" when none). Valid until the next call on the store. */
const char *halter_store_last_error(const wasm_store_t *store);

/* ---- Cancel from any thread ----------------------------------------- */

typedef struct halter_cancel_t halter_cancel_t;

/* A handle on the store's cancel token: halter_cancel(handle), from any
 * thread at any time, stops every running and later call of the store
 * (outcome CANCELLED) until halter_store_renew_cancel. The handle may
 * outlive the store. */
own halter_cancel_t *halter_store_cancel_handle(wasm_store_t *store);
void halter_cancel(const halter_cancel_t *handle);
void halter_cancel_delete(own halter_cancel_t *handle);
/* Later calls of the store use a new, uncancelled token. */
void halter_store_renew_cancel(wasm_store_t *store);

/* ---- Modules -------------------------------------------------------- */

/* As wasm_module_new, and on failure `error_out` (when not NULL) receives
 * the reason with its byte offset, NUL-terminated ("TypeMismatch at byte
 * 0x2a: ..."). */
own wasm_module_t *halter_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                                     own wasm_message_t *error_out);

/* ---- Host functions that park, exit or reach memory ------------------ */

/* What a host callback (wasm_func_new's or wasm_func_new_with_env's)
 * returns instead of a trap to park the guest: the call suspends
 * (HALTER_OUTCOME_SUSPENDED) until halter_execution_resume answers it.
 * Under wasm_func_call, which cannot wait, it is a trap. */
own wasm_trap_t *halter_suspend(wasm_store_t *store);
/* Ends the guest program with `code` (HALTER_OUTCOME_EXITED). */
own wasm_trap_t *halter_exit(wasm_store_t *store, int code);

/* Inside a host callback: bounds-checked copies out of and into the
 * calling instance's memory 0. False (nothing copied) outside a callback,
 * without a memory, or for a range not inside it. */
bool halter_caller_read(uint64_t addr, void *out, size_t size);
bool halter_caller_write(uint64_t addr, const void *data, size_t size);

/* ---- Executions: calls that stop and continue ------------------------ */

typedef struct halter_execution_t halter_execution_t;

/* Prepares a call of `func` with `args` (checked against its type) under
 * the store's limits; nothing runs yet. NULL on misuse (last error says). */
own halter_execution_t *halter_func_start(const wasm_func_t *func, const wasm_val_vec_t *args);

/* Runs until the guest stops; the kind says how. INVALID on misuse (a
 * finished execution, an instance running on another thread, ...). */
halter_outcome_kind_t halter_execution_run(halter_execution_t *exec);

/* After RETURNED: the results (owned by the caller). False otherwise. */
bool halter_execution_results(const halter_execution_t *exec, own wasm_val_vec_t *out);
/* After any other end: the trap describing it, as wasm_func_call's. */
own wasm_trap_t *halter_execution_trap(const halter_execution_t *exec);

/* After SUSPENDED: the pending host call (the import's module and name,
 * NUL-terminated, and its arguments). False when none is pending. */
bool halter_execution_pending(const halter_execution_t *exec, own wasm_name_t *module,
                              own wasm_name_t *name, own wasm_val_vec_t *args);
/* Answers the pending call with results (checked against the import's
 * result types) or with an error the guest traps with; then run again. */
bool halter_execution_resume(halter_execution_t *exec, const wasm_val_vec_t *results);
bool halter_execution_resume_with_error(halter_execution_t *exec, const char *message);
/* While parked: the memory of the instance that made the pending call. */
bool halter_execution_read_memory(const halter_execution_t *exec, uint64_t addr, void *out,
                                  size_t size);
bool halter_execution_write_memory(halter_execution_t *exec, uint64_t addr, const void *data,
                                   size_t size);

/* Fuel: more for a metered execution (after OUT_OF_FUEL, run continues
 * where it stopped), what is left, and what it used. */
void halter_execution_add_fuel(halter_execution_t *exec, uint64_t units);
uint64_t halter_execution_fuel_left(const halter_execution_t *exec);
uint64_t halter_execution_fuel_used(const halter_execution_t *exec);

/* Any thread: the execution ends CANCELLED at its next check point. */
void halter_execution_cancel(halter_execution_t *exec);

/* Why the last call on `exec` failed ("" when none). */
const char *halter_execution_last_error(const halter_execution_t *exec);

/* Drops the execution (a parked call is abandoned; its instance takes
 * calls again). */
void halter_execution_delete(own halter_execution_t *exec);

/* ---- Fresh instances and snapshots ------------------------------------ */

/* Back to the state instantiation gave (memories shrink to their initial
 * size); the start function runs again when `run_start`. False while an
 * execution of it is parked or a call runs. */
bool halter_instance_reset(wasm_instance_t *instance, bool run_start);

/* The instance's state as bytes (zstd-compressed when `compress`), and a
 * new instance of `module` in that state, with `imports` as for
 * wasm_instance_new. Restoring refuses bytes of another module, truncated
 * or corrupted ones (NULL; last error says where). */
bool halter_instance_snapshot(const wasm_instance_t *instance, bool compress,
                              own wasm_byte_vec_t *out);
own wasm_instance_t *halter_instance_restore(wasm_store_t *store, const wasm_module_t *module,
                                             const wasm_extern_vec_t *imports,
                                             const wasm_byte_vec_t *snapshot);

/* ---- WASI preview1 ---------------------------------------------------- */

typedef struct halter_wasi_config_t halter_wasi_config_t;

/* Nothing granted: no args, no env, no directories; stdin empty, stdout
 * and stderr captured in memory. */
own halter_wasi_config_t *halter_wasi_config_new(void);
void halter_wasi_config_delete(own halter_wasi_config_t *config);
/* argv (args[0] is the program name by convention), copied. */
bool halter_wasi_config_set_args(halter_wasi_config_t *config, size_t count,
                                 const char *const *args);
/* One "NAME=VALUE" entry of the environment, copied. */
bool halter_wasi_config_add_env(halter_wasi_config_t *config, const char *name, const char *value);
/* The host directory `host_path` as `guest_path` (e.g. "/data"); read-only
 * unless `writable`. No path resolves outside it. */
bool halter_wasi_config_preopen_dir(halter_wasi_config_t *config, const char *host_path,
                                    const char *guest_path, bool writable);
/* stdin from bytes; stdout and stderr to host files (created or
 * truncated) instead of memory; the process's own streams. */
bool halter_wasi_config_set_stdin_bytes(halter_wasi_config_t *config, const wasm_byte_vec_t *in);
bool halter_wasi_config_set_stdout_file(halter_wasi_config_t *config, const char *path);
bool halter_wasi_config_set_stderr_file(halter_wasi_config_t *config, const char *path);
void halter_wasi_config_inherit_stdio(halter_wasi_config_t *config);
/* Virtual clocks, seeded random bytes, sorted listings: the same inputs
 * give the same output. */
void halter_wasi_config_set_deterministic(halter_wasi_config_t *config, bool on, uint64_t seed);

typedef struct halter_wasi_t halter_wasi_t;

/* The WASI state of one program, made from `config` (its directories are
 * opened now: NULL when one cannot be; last error says). */
own halter_wasi_t *halter_wasi_new(wasm_store_t *store, const halter_wasi_config_t *config);
void halter_wasi_delete(own halter_wasi_t *wasi);
/* An instance of `module` whose wasi_snapshot_preview1 imports are
 * `wasi`'s; any other import fails the instantiation (NULL, with the
 * reason in *trap when `trap` is not NULL). */
own wasm_instance_t *halter_wasi_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                              halter_wasi_t *wasi, own wasm_trap_t **trap);
/* What the program wrote to a captured stdout/stderr. */
void halter_wasi_stdout(const halter_wasi_t *wasi, own wasm_byte_vec_t *out);
void halter_wasi_stderr(const halter_wasi_t *wasi, own wasm_byte_vec_t *out);

#undef own

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HALTER_C_H */
