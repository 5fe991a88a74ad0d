// wasm.h's modules (new, validate, imports, exports, serialize, sharing
// between threads) and instances.
#include "capi/capi.h"

#include <cstring>

using namespace halter;
using namespace halter::capi;

namespace {

// halter keeps no machine code to serialize: a serialized module is its
// binary under this header, and deserializing compiles it again (lazy
// lowering makes that cheap). The header keeps other bytes from being
// taken for a module by mistake.
constexpr char kSerialMagic[8] = {'h', 'a', 'l', 't', 'e', 'r', 'm', '1'};

std::span<const uint8_t> bytesOf(const wasm_byte_vec_t *v) {
  if (v == nullptr || v->data == nullptr) return {};
  return {reinterpret_cast<const uint8_t *>(v->data), v->size};
}

wasm_module_t *newModuleHandle(wasm_store_t *store, std::shared_ptr<const Module> m) {
  auto *h = new wasm_module_t(RefKind::Module, store, newIdentity());
  h->module = std::move(m);
  return h;
}

wasm_module_t *compileModule(wasm_store_t *store, std::span<const uint8_t> bytes,
                             std::string *error) {
  auto m = Module::compile(bytes);
  if (!m.ok()) {
    if (error != nullptr) *error = m.error().describe();
    return nullptr;
  }
  return newModuleHandle(store, std::move(*m));
}

} // namespace

namespace halter::capi {

Result<Linker> linkerFor(const Module &module, const wasm_extern_vec_t *imports) {
  const auto &wanted = module.imports();
  size_t given = imports != nullptr ? imports->size : 0;
  if (given != wanted.size()) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "expected " + std::to_string(wanted.size()) + " imports, got " +
                         std::to_string(given));
  }
  Linker linker;
  for (size_t i = 0; i < given; ++i) {
    if (imports->data[i] == nullptr) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "import " + std::to_string(i) + " is NULL");
    }
    linker.define(wanted[i].module, wanted[i].name, imports->data[i]->ext);
  }
  return linker;
}

wasm_instance_t *newInstanceHandle(wasm_store_t *store, std::shared_ptr<Instance> instance) {
  auto *h = new wasm_instance_t(RefKind::Instance, store, newIdentity());
  h->instance = std::move(instance);
  return h;
}

} // namespace halter::capi

extern "C" {

wasm_module_t *wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary) {
  if (store == nullptr || binary == nullptr) return nullptr;
  return guarded<wasm_module_t *>(
      nullptr, [&] { return compileModule(store, bytesOf(binary), &store->last_error); });
}

wasm_module_t *halter_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary,
                                 wasm_message_t *error_out) {
  if (error_out != nullptr) wasm_byte_vec_new_empty(error_out);
  if (store == nullptr || binary == nullptr) return nullptr;
  return guarded<wasm_module_t *>(nullptr, [&] {
    wasm_module_t *m = compileModule(store, bytesOf(binary), &store->last_error);
    if (m == nullptr && error_out != nullptr) {
      setName(error_out, std::string_view(store->last_error.c_str(), store->last_error.size() + 1));
    }
    return m;
  });
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary) {
  if (store == nullptr || binary == nullptr) return false;
  return guarded(false, [&] { return Module::validate(bytesOf(binary)).ok(); });
}

void wasm_module_imports(const wasm_module_t *m, wasm_importtype_vec_t *out) {
  if (out == nullptr) return;
  wasm_importtype_vec_new_empty(out);
  if (m == nullptr) return;
  guardedVoid([&] {
    const auto &imports = m->module->imports();
    wasm_importtype_vec_new_uninitialized(out, imports.size());
    for (size_t i = 0; i < out->size; ++i) {
      const ImportInfo &imp = imports[i];
      auto *t = new wasm_importtype_t;
      setName(&t->module, imp.module);
      setName(&t->name, imp.name);
      t->type = newExterntype(imp.kind, imp.func, imp.table, imp.memory, imp.global);
      out->data[i] = t;
    }
  });
}

void wasm_module_exports(const wasm_module_t *m, wasm_exporttype_vec_t *out) {
  if (out == nullptr) return;
  wasm_exporttype_vec_new_empty(out);
  if (m == nullptr) return;
  guardedVoid([&] {
    const auto &exports = m->module->exports();
    wasm_exporttype_vec_new_uninitialized(out, exports.size());
    for (size_t i = 0; i < out->size; ++i) {
      const ExportInfo &exp = exports[i];
      auto *t = new wasm_exporttype_t;
      setName(&t->name, exp.name);
      t->type = newExterntype(exp.kind, exp.func, exp.table, exp.memory, exp.global);
      out->data[i] = t;
    }
  });
}

void wasm_module_serialize(const wasm_module_t *m, wasm_byte_vec_t *out) {
  if (out == nullptr) return;
  wasm_byte_vec_new_empty(out);
  if (m == nullptr) return;
  guardedVoid([&] {
    std::span<const uint8_t> bytes = m->module->bytes();
    wasm_byte_vec_new_uninitialized(out, sizeof kSerialMagic + bytes.size());
    if (out->data == nullptr) return;
    std::memcpy(out->data, kSerialMagic, sizeof kSerialMagic);
    if (!bytes.empty()) std::memcpy(out->data + sizeof kSerialMagic, bytes.data(), bytes.size());
  });
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *bytes) {
  if (store == nullptr || bytes == nullptr) return nullptr;
  return guarded<wasm_module_t *>(nullptr, [&]() -> wasm_module_t * {
    std::span<const uint8_t> all = bytesOf(bytes);
    if (all.size() < sizeof kSerialMagic ||
        std::memcmp(all.data(), kSerialMagic, sizeof kSerialMagic) != 0) {
      store->last_error = "wasm_module_deserialize: not a module serialized by halter";
      return nullptr;
    }
    return compileModule(store, all.subspan(sizeof kSerialMagic), &store->last_error);
  });
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *m) {
  if (m == nullptr) return nullptr;
  return new (std::nothrow) wasm_shared_module_t{m->module};
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store, const wasm_shared_module_t *shared) {
  if (store == nullptr || shared == nullptr) return nullptr;
  return guarded<wasm_module_t *>(nullptr, [&] { return newModuleHandle(store, shared->module); });
}

void wasm_shared_module_delete(wasm_shared_module_t *m) {
  delete m;
}

// Imports are given in the module's import order. Any failure (a missing
// or mistyped import, a trap or limit in the start function) gives NULL
// and, when `trap` is not NULL, a trap saying why.
wasm_instance_t *wasm_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap) {
  if (trap != nullptr) *trap = nullptr;
  if (store == nullptr || module == nullptr) return nullptr;
  return guarded<wasm_instance_t *>(nullptr, [&]() -> wasm_instance_t * {
    auto fail = [&](const Error &why) -> wasm_instance_t * {
      store->last_error = why.describe();
      if (trap != nullptr) *trap = trapForError(store, why);
      return nullptr;
    };
    auto linker = linkerFor(*module->module, imports);
    if (!linker.ok()) return fail(linker.error());
    auto inst =
        linker->instantiate(module->module, store->limits.value_or(Limits{}), store->cancel);
    if (!inst.ok()) return fail(inst.error());
    return newInstanceHandle(store, std::move(*inst));
  });
}

// In the module's export order.
void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out) {
  if (out == nullptr) return;
  wasm_extern_vec_new_empty(out);
  if (instance == nullptr) return;
  guardedVoid([&] {
    const auto &exports = instance->instance->module().exports();
    wasm_extern_vec_new_uninitialized(out, exports.size());
    for (size_t i = 0; i < out->size; ++i) {
      auto e = instance->instance->getExport(exports[i].name);
      out->data[i] = e.ok() ? newExternHandle(instance->store, std::move(*e)) : nullptr;
    }
  });
}

} // extern "C"
