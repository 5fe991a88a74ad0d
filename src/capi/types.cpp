// wasm.h's vectors and type objects (valtype, functype, globaltype,
// tabletype, memorytype, externtype, importtype, exporttype).
#include "capi/capi.h"

#include <cstring>

using namespace halter;
using namespace halter::capi;

namespace {

// What a vector does with its elements: copy and delete them. Byte and
// value vectors hold values; the others hold owned pointers.
void copyElem(wasm_byte_t *to, const wasm_byte_t &from) {
  *to = from;
}
void deleteElem(wasm_byte_t &) {}
void copyElem(wasm_val_t *to, const wasm_val_t &from) {
  wasm_val_copy(to, &from);
}
void deleteElem(wasm_val_t &v) {
  wasm_val_delete(&v);
}

#define HALTER_C_PTR_ELEM(name)                                                                    \
  void copyElem(wasm_##name##_t **to, wasm_##name##_t *const &from) {                              \
    *to = from != nullptr ? wasm_##name##_copy(from) : nullptr;                                    \
  }                                                                                                \
  void deleteElem(wasm_##name##_t *&e) {                                                           \
    wasm_##name##_delete(e);                                                                       \
  }
HALTER_C_PTR_ELEM(valtype)
HALTER_C_PTR_ELEM(functype)
HALTER_C_PTR_ELEM(globaltype)
HALTER_C_PTR_ELEM(tabletype)
HALTER_C_PTR_ELEM(memorytype)
HALTER_C_PTR_ELEM(externtype)
HALTER_C_PTR_ELEM(importtype)
HALTER_C_PTR_ELEM(exporttype)
HALTER_C_PTR_ELEM(frame)
HALTER_C_PTR_ELEM(extern)
#undef HALTER_C_PTR_ELEM

template <class V> void vecEmpty(V *out) {
  out->size = 0;
  out->data = nullptr;
}

template <class V> void vecUninitialized(V *out, size_t size) {
  using E = std::remove_pointer_t<decltype(out->data)>;
  vecEmpty(out);
  if (size == 0) return;
  out->data = new (std::nothrow) E[size]();
  if (out->data != nullptr) out->size = size;
}

// Takes the elements over (wasm.h: `own` elements).
template <class V, class E> void vecNew(V *out, size_t size, const E *elems) {
  vecUninitialized(out, size);
  for (size_t i = 0; i < out->size; ++i) out->data[i] = elems[i];
}

template <class V> void vecCopy(V *out, const V *from) {
  if (from == nullptr) return vecEmpty(out);
  vecUninitialized(out, from->size);
  for (size_t i = 0; i < out->size; ++i) copyElem(&out->data[i], from->data[i]);
}

template <class V> void vecDelete(V *v) {
  if (v == nullptr) return;
  for (size_t i = 0; i < v->size && v->data != nullptr; ++i) deleteElem(v->data[i]);
  delete[] v->data;
  vecEmpty(v);
}

} // namespace

#define HALTER_C_VEC(name, ptr_or_none)                                                            \
  extern "C" void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                          \
    if (out != nullptr) vecEmpty(out);                                                             \
  }                                                                                                \
  extern "C" void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size) {     \
    if (out != nullptr) vecUninitialized(out, size);                                               \
  }                                                                                                \
  extern "C" void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,                     \
                                        wasm_##name##_t ptr_or_none const elems[]) {               \
    if (out == nullptr) return;                                                                    \
    if (elems == nullptr) return vecUninitialized(out, size);                                      \
    vecNew(out, size, elems);                                                                      \
  }                                                                                                \
  extern "C" void wasm_##name##_vec_copy(wasm_##name##_vec_t *out,                                 \
                                         const wasm_##name##_vec_t *from) {                        \
    if (out != nullptr) vecCopy(out, from);                                                        \
  }                                                                                                \
  extern "C" void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                               \
    vecDelete(v);                                                                                  \
  }

HALTER_C_VEC(byte, )
HALTER_C_VEC(val, )
HALTER_C_VEC(valtype, *)
HALTER_C_VEC(functype, *)
HALTER_C_VEC(globaltype, *)
HALTER_C_VEC(tabletype, *)
HALTER_C_VEC(memorytype, *)
HALTER_C_VEC(externtype, *)
HALTER_C_VEC(importtype, *)
HALTER_C_VEC(exporttype, *)
HALTER_C_VEC(frame, *)
HALTER_C_VEC(extern, *)
#undef HALTER_C_VEC

// ---- Conversions ----------------------------------------------------------

namespace halter::capi {

void setName(wasm_name_t *out, std::string_view s) {
  wasm_byte_vec_new_uninitialized(out, s.size());
  if (out->size == s.size() && !s.empty()) std::memcpy(out->data, s.data(), s.size());
}

std::string nameOf(const wasm_name_t *n) {
  if (n == nullptr || n->data == nullptr) return {};
  return std::string(n->data, n->size);
}

std::optional<ValType> valTypeOf(wasm_valkind_t kind) {
  switch (kind) {
  case WASM_I32:
    return ValType::I32;
  case WASM_I64:
    return ValType::I64;
  case WASM_F32:
    return ValType::F32;
  case WASM_F64:
    return ValType::F64;
  case WASM_EXTERNREF:
    return ValType::ExternRef;
  case WASM_FUNCREF:
    return ValType::FuncRef;
  default:
    return std::nullopt;
  }
}

// wasm.h has no kind for v128: such a type is reported as one that no C
// value can carry (kind 4, beyond the numbers wasm.h knows).
wasm_valkind_t valKindOf(ValType t) {
  switch (t) {
  case ValType::I32:
    return WASM_I32;
  case ValType::I64:
    return WASM_I64;
  case ValType::F32:
    return WASM_F32;
  case ValType::F64:
    return WASM_F64;
  case ValType::ExternRef:
    return WASM_EXTERNREF;
  case ValType::FuncRef:
    return WASM_FUNCREF;
  case ValType::V128:
    return 4;
  }
  return 4;
}

wasm_valtype_t *newValtype(ValType t) {
  auto *v = new (std::nothrow) wasm_valtype_t;
  if (v != nullptr) v->kind = valKindOf(t);
  return v;
}

namespace {
void valtypesOf(wasm_valtype_vec_t *out, const std::vector<ValType> &types) {
  wasm_valtype_vec_new_uninitialized(out, types.size());
  for (size_t i = 0; i < out->size; ++i) out->data[i] = newValtype(types[i]);
}

std::optional<std::vector<ValType>> typesOf(const wasm_valtype_vec_t &v) {
  std::vector<ValType> out;
  for (size_t i = 0; i < v.size; ++i) {
    if (v.data[i] == nullptr) return std::nullopt;
    auto t = valTypeOf(v.data[i]->kind);
    if (!t) return std::nullopt;
    out.push_back(*t);
  }
  return out;
}
} // namespace

wasm_functype_t *newFunctype(const FuncType &t) {
  auto *f = new wasm_functype_t;
  valtypesOf(&f->params, t.params);
  valtypesOf(&f->results, t.results);
  return f;
}

std::optional<FuncType> funcTypeOf(const wasm_functype_t *t) {
  if (t == nullptr) return std::nullopt;
  auto params = typesOf(t->params);
  auto results = typesOf(t->results);
  if (!params || !results) return std::nullopt;
  return FuncType{*params, *results};
}

wasm_limits_t limitsOf(const SizeLimits &l) {
  wasm_limits_t out;
  out.min = uint32_t(std::min<uint64_t>(l.min, UINT32_MAX));
  out.max = l.max ? uint32_t(std::min<uint64_t>(*l.max, UINT32_MAX)) : wasm_limits_max_default;
  return out;
}

SizeLimits sizeLimitsOf(const wasm_limits_t &l) {
  SizeLimits out;
  out.min = l.min;
  if (l.max != wasm_limits_max_default) out.max = l.max;
  return out;
}

wasm_externtype_t *newExterntype(ExternKind kind, const FuncType &f, const TableType &t,
                                 const MemoryType &m, const GlobalType &g) {
  switch (kind) {
  case ExternKind::Func:
    return newFunctype(f);
  case ExternKind::Global: {
    auto *out = new wasm_globaltype_t;
    out->content = newValtype(g.type);
    out->mutability = g.is_mutable ? WASM_VAR : WASM_CONST;
    return out;
  }
  case ExternKind::Table: {
    auto *out = new wasm_tabletype_t;
    out->element = newValtype(t.elem);
    out->limits = limitsOf(t.limits);
    return out;
  }
  case ExternKind::Memory: {
    auto *out = new wasm_memorytype_t;
    out->limits = limitsOf(m.limits);
    return out;
  }
  }
  return nullptr;
}

} // namespace halter::capi

// ---- Type objects -----------------------------------------------------------

wasm_functype_t::~wasm_functype_t() {
  wasm_valtype_vec_delete(&params);
  wasm_valtype_vec_delete(&results);
}
wasm_externtype_t *wasm_functype_t::clone() const {
  auto *f = new wasm_functype_t;
  wasm_valtype_vec_copy(&f->params, &params);
  wasm_valtype_vec_copy(&f->results, &results);
  return f;
}
wasm_globaltype_t::~wasm_globaltype_t() {
  delete content;
}
wasm_externtype_t *wasm_globaltype_t::clone() const {
  auto g = std::make_unique<wasm_globaltype_t>();
  g->content = content != nullptr ? new wasm_valtype_t(*content) : nullptr;
  g->mutability = mutability;
  return g.release();
}
wasm_tabletype_t::~wasm_tabletype_t() {
  delete element;
}
wasm_externtype_t *wasm_tabletype_t::clone() const {
  auto t = std::make_unique<wasm_tabletype_t>();
  t->element = element != nullptr ? new wasm_valtype_t(*element) : nullptr;
  t->limits = limits;
  return t.release();
}
wasm_externtype_t *wasm_memorytype_t::clone() const {
  return new wasm_memorytype_t(*this);
}
wasm_importtype_t::~wasm_importtype_t() {
  wasm_byte_vec_delete(&module);
  wasm_byte_vec_delete(&name);
  delete type;
}
wasm_exporttype_t::~wasm_exporttype_t() {
  wasm_byte_vec_delete(&name);
  delete type;
}

extern "C" {

// valtype
void wasm_valtype_delete(wasm_valtype_t *t) {
  delete t;
}
wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
  return t != nullptr ? new (std::nothrow) wasm_valtype_t(*t) : nullptr;
}
wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind) {
  auto *v = new (std::nothrow) wasm_valtype_t;
  if (v != nullptr) v->kind = kind;
  return v;
}
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) {
  return t != nullptr ? t->kind : 0;
}

// functype
void wasm_functype_delete(wasm_functype_t *t) {
  delete t;
}
wasm_functype_t *wasm_functype_copy(const wasm_functype_t *t) {
  return t != nullptr ? guarded<wasm_functype_t *>(
                            nullptr, [&] { return static_cast<wasm_functype_t *>(t->clone()); })
                      : nullptr;
}
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results) {
  return guarded<wasm_functype_t *>(nullptr, [&] {
    auto *f = new wasm_functype_t;
    // Takes the vectors over: the caller's become empty.
    if (params != nullptr) {
      f->params = *params;
      wasm_valtype_vec_new_empty(params);
    }
    if (results != nullptr) {
      f->results = *results;
      wasm_valtype_vec_new_empty(results);
    }
    return f;
  });
}
const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) {
  return t != nullptr ? &t->params : nullptr;
}
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) {
  return t != nullptr ? &t->results : nullptr;
}

// globaltype
void wasm_globaltype_delete(wasm_globaltype_t *t) {
  delete t;
}
wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *t) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_globaltype_t *>(nullptr,
                                      [&] { return static_cast<wasm_globaltype_t *>(t->clone()); });
}
wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mutability) {
  if (content == nullptr) return nullptr;
  auto *g = new (std::nothrow) wasm_globaltype_t;
  if (g == nullptr) {
    delete content;
    return nullptr;
  }
  g->content = content;
  g->mutability = mutability;
  return g;
}
const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) {
  return t != nullptr ? t->content : nullptr;
}
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) {
  return t != nullptr ? t->mutability : wasm_mutability_t(WASM_CONST);
}

// tabletype
void wasm_tabletype_delete(wasm_tabletype_t *t) {
  delete t;
}
wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_tabletype_t *>(nullptr,
                                     [&] { return static_cast<wasm_tabletype_t *>(t->clone()); });
}
wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element, const wasm_limits_t *limits) {
  if (element == nullptr || limits == nullptr) {
    delete element;
    return nullptr;
  }
  auto *t = new (std::nothrow) wasm_tabletype_t;
  if (t == nullptr) {
    delete element;
    return nullptr;
  }
  t->element = element;
  t->limits = *limits;
  return t;
}
const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) {
  return t != nullptr ? t->element : nullptr;
}
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) {
  return t != nullptr ? &t->limits : nullptr;
}

// memorytype
void wasm_memorytype_delete(wasm_memorytype_t *t) {
  delete t;
}
wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *t) {
  return t != nullptr ? new (std::nothrow) wasm_memorytype_t(*t) : nullptr;
}
wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
  if (limits == nullptr) return nullptr;
  auto *m = new (std::nothrow) wasm_memorytype_t;
  if (m != nullptr) m->limits = *limits;
  return m;
}
const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) {
  return t != nullptr ? &t->limits : nullptr;
}

// externtype
void wasm_externtype_delete(wasm_externtype_t *t) {
  delete t;
}
wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t) {
  return t != nullptr ? guarded<wasm_externtype_t *>(nullptr, [&] { return t->clone(); }) : nullptr;
}
wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) {
  return t != nullptr ? t->kind : wasm_externkind_t(WASM_EXTERN_FUNC);
}

#define HALTER_C_EXTERNTYPE_CASTS(name, KIND)                                                      \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {                             \
    return t;                                                                                      \
  }                                                                                                \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t) {           \
    return t;                                                                                      \
  }                                                                                                \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t) {                               \
    return t != nullptr && t->kind == KIND ? static_cast<wasm_##name##_t *>(t) : nullptr;          \
  }                                                                                                \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *t) {           \
    return t != nullptr && t->kind == KIND ? static_cast<const wasm_##name##_t *>(t) : nullptr;    \
  }
HALTER_C_EXTERNTYPE_CASTS(functype, WASM_EXTERN_FUNC)
HALTER_C_EXTERNTYPE_CASTS(globaltype, WASM_EXTERN_GLOBAL)
HALTER_C_EXTERNTYPE_CASTS(tabletype, WASM_EXTERN_TABLE)
HALTER_C_EXTERNTYPE_CASTS(memorytype, WASM_EXTERN_MEMORY)
#undef HALTER_C_EXTERNTYPE_CASTS

// importtype
void wasm_importtype_delete(wasm_importtype_t *t) {
  delete t;
}
wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_importtype_t *>(nullptr, [&] {
    auto *c = new wasm_importtype_t;
    wasm_byte_vec_copy(&c->module, &t->module);
    wasm_byte_vec_copy(&c->name, &t->name);
    c->type = wasm_externtype_copy(t->type);
    return c;
  });
}
wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
  return guarded<wasm_importtype_t *>(nullptr, [&] {
    auto *t = new wasm_importtype_t;
    // Takes the names over: the caller's become empty.
    if (module != nullptr) std::swap(t->module, *module);
    if (name != nullptr) std::swap(t->name, *name);
    t->type = type;
    return t;
  });
}
const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) {
  return t != nullptr ? &t->module : nullptr;
}
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) {
  return t != nullptr ? &t->name : nullptr;
}
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) {
  return t != nullptr ? t->type : nullptr;
}

// exporttype
void wasm_exporttype_delete(wasm_exporttype_t *t) {
  delete t;
}
wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t) {
  if (t == nullptr) return nullptr;
  return guarded<wasm_exporttype_t *>(nullptr, [&] {
    auto *c = new wasm_exporttype_t;
    wasm_byte_vec_copy(&c->name, &t->name);
    c->type = wasm_externtype_copy(t->type);
    return c;
  });
}
wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type) {
  return guarded<wasm_exporttype_t *>(nullptr, [&] {
    auto *t = new wasm_exporttype_t;
    if (name != nullptr) std::swap(t->name, *name);
    t->type = type;
    return t;
  });
}
const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) {
  return t != nullptr ? &t->name : nullptr;
}
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) {
  return t != nullptr ? t->type : nullptr;
}

} // extern "C"
