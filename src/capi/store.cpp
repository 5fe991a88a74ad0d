// wasm.h's config, engine and store, and halter_c.h's limits and cancel
// handles on a store.
#include "capi/capi.h"

#include <algorithm>

using namespace halter;
using namespace halter::capi;

struct halter_cancel_t {
  CancelToken token;
};

namespace {
// halter has nothing to configure through wasm.h: one engine serves every
// store, and an engine holds no state of its own.
wasm_engine_t *newEngine() {
  return new (std::nothrow) wasm_engine_t;
}
} // namespace

namespace halter::capi {
CallOptions callOptions(const wasm_store_t *store) {
  CallOptions options;
  if (store == nullptr) return options;
  options.limits = store->limits;
  options.cancel = store->cancel;
  return options;
}
} // namespace halter::capi

extern "C" {

void wasm_config_delete(wasm_config_t *c) {
  delete c;
}
wasm_config_t *wasm_config_new(void) {
  return new (std::nothrow) wasm_config_t;
}

void wasm_engine_delete(wasm_engine_t *e) {
  delete e;
}
wasm_engine_t *wasm_engine_new(void) {
  return newEngine();
}
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config) {
  delete config;
  return newEngine();
}

void wasm_store_delete(wasm_store_t *s) {
  delete s;
}
wasm_store_t *wasm_store_new(wasm_engine_t *engine) {
  if (engine == nullptr) return nullptr;
  return guarded<wasm_store_t *>(nullptr, [&] {
    auto *s = new wasm_store_t;
    s->engine = engine;
    return s;
  });
}

void halter_limits_init(halter_limits_t *out) {
  if (out == nullptr) return;
  Limits d;
  *out = halter_limits_t{};
  out->max_call_depth = d.max_call_depth;
  out->max_stack_bytes = d.max_stack_bytes;
}

bool halter_store_set_limits(wasm_store_t *store, const halter_limits_t *l) {
  if (store == nullptr) return false;
  if (l == nullptr) {
    store->last_error = "halter_store_set_limits: limits is NULL";
    return false;
  }
  if (l->max_call_depth == 0) {
    store->last_error = "halter_store_set_limits: max_call_depth must be at least 1";
    return false;
  }
  Limits limits;
  if (l->has_fuel) limits.fuel = l->fuel;
  if (l->timeout_ns != 0) {
    limits.timeout =
        std::chrono::nanoseconds(int64_t(std::min<uint64_t>(l->timeout_ns, uint64_t(INT64_MAX))));
  }
  limits.max_memory_bytes = l->max_memory_bytes;
  limits.max_table_elements = l->max_table_elements;
  limits.max_call_depth = l->max_call_depth;
  limits.max_stack_bytes = l->max_stack_bytes;
  store->limits = limits;
  return true;
}

const char *halter_store_last_error(const wasm_store_t *store) {
  return store != nullptr ? store->last_error.c_str() : "store is NULL";
}

halter_cancel_t *halter_store_cancel_handle(wasm_store_t *store) {
  if (store == nullptr) return nullptr;
  return new (std::nothrow) halter_cancel_t{store->cancel};
}
void halter_cancel(const halter_cancel_t *handle) {
  if (handle != nullptr) handle->token.cancel();
}
void halter_cancel_delete(halter_cancel_t *handle) {
  delete handle;
}
void halter_store_renew_cancel(wasm_store_t *store) {
  if (store != nullptr) store->cancel = CancelToken::create();
}

} // extern "C"
