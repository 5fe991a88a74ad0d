#include "capi/host_call.h"

using namespace halter;
using namespace halter::capi;

namespace {

// The host call running on this thread (halter_caller_read/write).
thread_local const CallContext *current_caller = nullptr;

struct CallerScope {
  const CallContext *saved;
  explicit CallerScope(const CallContext *ctx) : saved(current_caller) { current_caller = ctx; }
  ~CallerScope() { current_caller = saved; }
};

// Owns the callback's environment: the finalizer runs with the last copy
// of the HostFunction.
struct Environment {
  HostCallback callback;
  ~Environment() {
    if (callback.finalizer != nullptr) callback.finalizer(callback.env);
  }
};

HostResult answerFor(const wasm_trap_t *trap) {
  switch (trap->outcome) {
  case HALTER_OUTCOME_SUSPENDED:
    return HostResult::suspend();
  case HALTER_OUTCOME_EXITED:
    return HostResult::exit(trap->exit_code);
  default:
    return HostResult::trap(trap->message);
  }
}

} // namespace

namespace halter::capi {

HostFunction hostFunctionFor(wasm_store_t *store, const FuncType &type, HostCallback callback) {
  auto env = std::make_shared<Environment>(); // not a copy: its destructor finalizes
  env->callback = callback;
  return [store, type, env](CallContext &ctx, std::span<const Value> args,
                            std::span<Value> results) -> HostResult {
    CallerScope scope(&ctx);
    std::vector<wasm_val_t> c_args(args.size());
    for (size_t i = 0; i < args.size(); ++i) fromValue(store, args[i], &c_args[i]);
    std::vector<wasm_val_t> c_results(results.size());
    for (size_t i = 0; i < results.size(); ++i) {
      c_results[i].kind = valKindOf(type.results[i]);
      c_results[i].of.i64 = 0;
    }
    wasm_val_vec_t arg_vec{c_args.size(), c_args.data()};
    wasm_val_vec_t result_vec{c_results.size(), c_results.data()};
    const HostCallback &cb = env->callback;
    wasm_trap_t *trap = cb.with_env != nullptr ? cb.with_env(cb.env, &arg_vec, &result_vec)
                                               : cb.plain(&arg_vec, &result_vec);
    HostResult answer = HostResult::ok();
    if (trap != nullptr) {
      answer = answerFor(trap);
      wasm_trap_delete(trap);
    } else {
      for (size_t i = 0; i < results.size(); ++i) {
        auto v = toValue(store, c_results[i], type.results[i]);
        if (!v.ok()) {
          answer = HostResult::trap("host function result " + std::to_string(i + 1) + ": " +
                                    v.error().message);
          break;
        }
        results[i] = *v;
      }
    }
    for (wasm_val_t &v : c_args) wasm_val_delete(&v);
    for (wasm_val_t &v : c_results) wasm_val_delete(&v);
    return answer;
  };
}

} // namespace halter::capi

extern "C" {

wasm_trap_t *halter_suspend(wasm_store_t *store) {
  return guarded<wasm_trap_t *>(nullptr, [&] {
    return newTrap(store, "suspended (halter_suspend)", HALTER_OUTCOME_SUSPENDED);
  });
}

wasm_trap_t *halter_exit(wasm_store_t *store, int code) {
  return guarded<wasm_trap_t *>(nullptr, [&] {
    wasm_trap_t *t =
        newTrap(store, "exited with code " + std::to_string(code), HALTER_OUTCOME_EXITED);
    t->exit_code = code;
    return t;
  });
}

bool halter_caller_read(uint64_t addr, void *out, size_t size) {
  if (current_caller == nullptr || (out == nullptr && size != 0)) return false;
  return current_caller->read(addr, std::span<uint8_t>(static_cast<uint8_t *>(out), size)).ok();
}

bool halter_caller_write(uint64_t addr, const void *data, size_t size) {
  if (current_caller == nullptr || (data == nullptr && size != 0)) return false;
  return current_caller
      ->write(addr, std::span<const uint8_t>(static_cast<const uint8_t *>(data), size))
      .ok();
}

} // extern "C"
