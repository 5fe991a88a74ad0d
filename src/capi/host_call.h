// Host functions made through wasm.h: a C callback (with or without an
// environment and its finalizer) as a C++ HostFunction.
#pragma once

#include "capi/capi.h"

namespace halter::capi {

struct HostCallback {
  wasm_func_callback_t plain = nullptr;
  wasm_func_callback_with_env_t with_env = nullptr;
  void *env = nullptr;
  void (*finalizer)(void *) = nullptr;
};

// Calls the callback with the arguments as C values and its results sized
// and typed; a returned trap becomes the answer (halter_suspend's and
// halter_exit's traps suspend and exit). The finalizer runs when the
// engine drops the function.
HostFunction hostFunctionFor(wasm_store_t *store, const FuncType &type, HostCallback callback);

} // namespace halter::capi
