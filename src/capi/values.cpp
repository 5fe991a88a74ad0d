// Values between wasm.h's wasm_val_t and the C++ API's Value: numbers as
// they are; a funcref is a function handle; an externref is any reference
// handle, which the engine carries as the pointer of its Identity.
#include "capi/capi.h"

using namespace halter;
using namespace halter::capi;

namespace halter::capi {

namespace {
Error argumentError(std::string text) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset, std::move(text));
}
} // namespace

Result<Value> toValue(wasm_store_t *store, const wasm_val_t &v, ValType type) {
  std::optional<ValType> kind = valTypeOf(v.kind);
  if (!kind || *kind != type) {
    return argumentError(std::string("expected ") + valTypeName(type) + ", got " +
                         (kind ? valTypeName(*kind) : "an unknown kind"));
  }
  switch (type) {
  case ValType::I32:
    return Value::i32(uint32_t(v.of.i32));
  case ValType::I64:
    return Value::i64(uint64_t(v.of.i64));
  case ValType::F32:
    return Value::f32(v.of.f32);
  case ValType::F64:
    return Value::f64(v.of.f64);
  case ValType::FuncRef: {
    if (v.of.ref == nullptr) return Value::nullRef(ValType::FuncRef);
    auto *func = wasm_ref_as_func(v.of.ref);
    if (func == nullptr) return argumentError("a funcref must be a function (or NULL)");
    // The guest may keep it (a table, a global): the store keeps it alive.
    if (store != nullptr) store->state->funcs.emplace(func->ext.identity(), func->ext);
    return func->ext.funcRef();
  }
  case ValType::ExternRef: {
    if (v.of.ref == nullptr) return Value::nullRef(ValType::ExternRef);
    if (store == nullptr) return argumentError("an externref needs a store");
    wasm_ref_t *ref = v.of.ref;
    auto &slot = store->state->externrefs[ref->id.get()];
    if (!slot) slot.reset(ref->clone());
    return Value::ref(ValType::ExternRef, ref->id.get());
  }
  case ValType::V128:
    break;
  }
  return argumentError("v128 values have no wasm_val_t kind");
}

void fromValue(wasm_store_t *store, const Value &v, wasm_val_t *out) {
  out->kind = valKindOf(v.type());
  out->of.i64 = 0;
  switch (v.type()) {
  case ValType::I32:
    out->of.i32 = v.asS32();
    return;
  case ValType::I64:
    out->of.i64 = v.asS64();
    return;
  case ValType::F32:
    out->of.f32 = v.asF32();
    return;
  case ValType::F64:
    out->of.f64 = v.asF64();
    return;
  case ValType::FuncRef:
    out->of.ref = newExternHandle(store, Extern::fromFuncRef(v));
    return;
  case ValType::ExternRef: {
    out->of.ref = nullptr;
    if (v.isNullRef() || store == nullptr) return;
    auto it = store->state->externrefs.find(static_cast<const Identity *>(v.asRef()));
    if (it != store->state->externrefs.end()) out->of.ref = it->second->clone();
    return;
  }
  case ValType::V128:
    return;
  }
}

Result<std::vector<Value>> argsFor(wasm_store_t *store, const FuncType &type,
                                   const wasm_val_vec_t *args) {
  size_t given = args != nullptr ? args->size : 0;
  if (given != type.params.size()) {
    return argumentError("expected " + std::to_string(type.params.size()) + " arguments, got " +
                         std::to_string(given));
  }
  if (given != 0 && args->data == nullptr) return argumentError("arguments vector has no data");
  std::vector<Value> out;
  out.reserve(given);
  for (size_t i = 0; i < given; ++i) {
    auto v = toValue(store, args->data[i], type.params[i]);
    if (!v.ok())
      return argumentError("argument " + std::to_string(i + 1) + ": " + v.error().message);
    out.push_back(*v);
  }
  return out;
}

} // namespace halter::capi

extern "C" {

void wasm_val_delete(wasm_val_t *v) {
  if (v == nullptr) return;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref != nullptr) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = nullptr;
  }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  if (out == nullptr) return;
  if (v == nullptr) {
    *out = wasm_val_t{};
    return;
  }
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref != nullptr) out->of.ref = wasm_ref_copy(v->of.ref);
}

} // extern "C"
