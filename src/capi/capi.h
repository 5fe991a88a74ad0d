// The objects behind the C API's handles (wasm.h and halter_c.h): each
// handle is a small C++ object over the public C++ API. Only src/capi/
// sees these definitions; C callers see incomplete struct types.
#pragma once

#include "halter/halter.h"
#include "halter/wasi.h"
#include "halter_c.h"

#include <wasm.h>

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace halter::capi {

enum class RefKind : uint8_t { Foreign, Func, Global, Table, Memory, Instance, Module, Trap };

struct StoreState;

// What every handle of one object shares: its host info and finalizer
// (wasm.h's set_host_info), run once when the last handle of the object
// goes. Handles of an engine object (a function, table, memory or global)
// reached by different ways (an export, a table element) find one Identity
// through the store while any of them lives.
struct Identity {
  void *info = nullptr;
  void (*finalizer)(void *) = nullptr;
  std::weak_ptr<StoreState> store;
  const void *key = nullptr; // in StoreState::identities, when there
  Identity() = default;
  Identity(const Identity &) = delete;
  Identity &operator=(const Identity &) = delete;
  ~Identity();
};

// A store's bookkeeping. Externrefs are raw pointers inside the engine, so
// the store keeps every reference that became an externref (as a handle:
// the engine's pointer is its Identity) and every function that became a
// funcref value (a guest may keep either), until the store goes.
struct StoreState {
  std::unordered_map<const void *, std::weak_ptr<Identity>> identities;
  std::unordered_map<const Identity *, std::unique_ptr<wasm_ref_t>> externrefs;
  std::unordered_map<const void *, Extern> funcs;
};

// Runs `body` and turns a C++ exception (memory exhausted, in practice)
// into `fallback`: none crosses the C boundary.
template <class T, class F> T guarded(T fallback, F &&body) noexcept {
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}
template <class F> void guardedVoid(F &&body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

} // namespace halter::capi

struct wasm_config_t {};

struct wasm_engine_t {};

struct wasm_store_t {
  wasm_engine_t *engine = nullptr;
  std::shared_ptr<halter::capi::StoreState> state = std::make_shared<halter::capi::StoreState>();
  // halter_c.h: limits for instantiation and calls, and the store's cancel.
  std::optional<halter::Limits> limits;
  halter::CancelToken cancel = halter::CancelToken::create();
  // The last error a halter_* function of this store reported.
  std::string last_error;
};

struct wasm_valtype_t {
  wasm_valkind_t kind = WASM_I32;
};

struct wasm_functype_t;
struct wasm_globaltype_t;
struct wasm_tabletype_t;
struct wasm_memorytype_t;

// wasm_externtype_t is the common part of the four type objects: a
// functype "as externtype" is the same object.
struct wasm_externtype_t {
  wasm_externkind_t kind;
  explicit wasm_externtype_t(wasm_externkind_t k) : kind(k) {}
  virtual ~wasm_externtype_t() = default;
  virtual wasm_externtype_t *clone() const = 0;
};

struct wasm_functype_t : wasm_externtype_t {
  wasm_valtype_vec_t params{0, nullptr};
  wasm_valtype_vec_t results{0, nullptr};
  wasm_functype_t() : wasm_externtype_t(WASM_EXTERN_FUNC) {}
  ~wasm_functype_t() override;
  wasm_externtype_t *clone() const override;
};

struct wasm_globaltype_t : wasm_externtype_t {
  wasm_valtype_t *content = nullptr;
  wasm_mutability_t mutability = WASM_CONST;
  wasm_globaltype_t() : wasm_externtype_t(WASM_EXTERN_GLOBAL) {}
  ~wasm_globaltype_t() override;
  wasm_externtype_t *clone() const override;
};

struct wasm_tabletype_t : wasm_externtype_t {
  wasm_valtype_t *element = nullptr;
  wasm_limits_t limits{0, wasm_limits_max_default};
  wasm_tabletype_t() : wasm_externtype_t(WASM_EXTERN_TABLE) {}
  ~wasm_tabletype_t() override;
  wasm_externtype_t *clone() const override;
};

struct wasm_memorytype_t : wasm_externtype_t {
  wasm_limits_t limits{0, wasm_limits_max_default};
  wasm_memorytype_t() : wasm_externtype_t(WASM_EXTERN_MEMORY) {}
  wasm_externtype_t *clone() const override;
};

struct wasm_importtype_t {
  wasm_name_t module{0, nullptr};
  wasm_name_t name{0, nullptr};
  wasm_externtype_t *type = nullptr;
  ~wasm_importtype_t();
};

struct wasm_exporttype_t {
  wasm_name_t name{0, nullptr};
  wasm_externtype_t *type = nullptr;
  ~wasm_exporttype_t();
};

// Every reference handle. A handle is one owner; copies share the Identity.
struct wasm_ref_t {
  halter::capi::RefKind kind;
  wasm_store_t *store;
  std::shared_ptr<halter::capi::Identity> id;
  wasm_ref_t(halter::capi::RefKind k, wasm_store_t *s, std::shared_ptr<halter::capi::Identity> i)
      : kind(k), store(s), id(std::move(i)) {}
  virtual ~wasm_ref_t() = default;
  virtual wasm_ref_t *clone() const = 0;
};

struct wasm_foreign_t : wasm_ref_t {
  using wasm_ref_t::wasm_ref_t;
  wasm_ref_t *clone() const override { return new wasm_foreign_t(*this); }
};

struct wasm_frame_t {
  // wasm_frame_instance answers NULL: a frame names its function by index
  // in the module; halter does not record which instance ran it.
  uint32_t func_index = 0;
  size_t func_offset = 0;
  size_t module_offset = 0;
};

struct wasm_trap_t : wasm_ref_t {
  std::string message;              // without the terminating NUL
  std::vector<wasm_frame_t> frames; // innermost first
  // halter_c.h: how the call ended (a trap of wasm.h's calls is any end
  // but a return).
  halter_outcome_kind_t outcome = HALTER_OUTCOME_TRAPPED;
  int exit_code = 0;
  using wasm_ref_t::wasm_ref_t;
  wasm_ref_t *clone() const override { return new wasm_trap_t(*this); }
};

struct wasm_module_t : wasm_ref_t {
  std::shared_ptr<const halter::Module> module;
  using wasm_ref_t::wasm_ref_t;
  wasm_ref_t *clone() const override { return new wasm_module_t(*this); }
};

struct wasm_shared_module_t {
  std::shared_ptr<const halter::Module> module;
};

struct wasm_instance_t : wasm_ref_t {
  std::shared_ptr<halter::Instance> instance;
  using wasm_ref_t::wasm_ref_t;
  wasm_ref_t *clone() const override { return new wasm_instance_t(*this); }
};

// Functions, globals, tables and memories are externs: one object, seen as
// its kind's handle or as wasm_extern_t.
struct wasm_extern_t : wasm_ref_t {
  halter::Extern ext;
  wasm_extern_t(halter::capi::RefKind k, wasm_store_t *s, std::shared_ptr<halter::capi::Identity> i,
                halter::Extern e)
      : wasm_ref_t(k, s, std::move(i)), ext(std::move(e)) {}
  wasm_ref_t *clone() const override;
};
struct wasm_func_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
};
struct wasm_global_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
};
struct wasm_table_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
};
struct wasm_memory_t : wasm_extern_t {
  using wasm_extern_t::wasm_extern_t;
};

namespace halter::capi {

// A new handle of the kind `e` is, sharing the Identity of any live handle
// of the same object in `store`.
wasm_extern_t *newExternHandle(wasm_store_t *store, Extern e);
std::shared_ptr<Identity> newIdentity();

// Names and types between C and C++.
void setName(wasm_name_t *out, std::string_view s);
std::string nameOf(const wasm_name_t *n);
wasm_valtype_t *newValtype(ValType t);
std::optional<ValType> valTypeOf(wasm_valkind_t kind);
wasm_valkind_t valKindOf(ValType t);
wasm_functype_t *newFunctype(const FuncType &t);
std::optional<FuncType> funcTypeOf(const wasm_functype_t *t);
wasm_externtype_t *newExterntype(ExternKind kind, const FuncType &f, const TableType &t,
                                 const MemoryType &m, const GlobalType &g);
wasm_limits_t limitsOf(const SizeLimits &l);
SizeLimits sizeLimitsOf(const wasm_limits_t &l);

// Values between C and C++. toValue fails (with a message) on a kind that
// does not match `type` or a reference of the wrong sort; refs given to the
// engine are registered in the store (StoreState). fromValue makes owned
// handles for references.
Result<Value> toValue(wasm_store_t *store, const wasm_val_t &v, ValType type);
void fromValue(wasm_store_t *store, const Value &v, wasm_val_t *out);

// Traps.
wasm_trap_t *newTrap(wasm_store_t *store, std::string message,
                     halter_outcome_kind_t outcome = HALTER_OUTCOME_TRAPPED);
// The trap for an outcome other than Returned (null when it returned).
wasm_trap_t *trapFor(wasm_store_t *store, const Outcome &out);
// The trap for a failed instantiation: the start function's trap or limit
// by its outcome, anything else (imports, caps) INVALID.
wasm_trap_t *trapForError(wasm_store_t *store, const Error &error);

// A linker defining `imports` (wasm.h: in the module's import order) as
// the imports of `module`; InvalidArgument for a wrong count or a NULL.
Result<Linker> linkerFor(const Module &module, const wasm_extern_vec_t *imports);
// A new instance handle of `store` owning `instance`.
wasm_instance_t *newInstanceHandle(wasm_store_t *store, std::shared_ptr<Instance> instance);

// The options of a call in `store` (its limits and cancel token).
CallOptions callOptions(const wasm_store_t *store);

// Arguments of a call checked against `type` and converted.
Result<std::vector<Value>> argsFor(wasm_store_t *store, const FuncType &type,
                                   const wasm_val_vec_t *args);

} // namespace halter::capi
