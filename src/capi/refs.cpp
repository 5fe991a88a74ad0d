// wasm.h's references: what every handle kind shares (delete, copy, same,
// host info, conversion to and from wasm_ref_t), foreign objects, traps
// and frames.
#include "capi/capi.h"

#include <cstring>

using namespace halter;
using namespace halter::capi;

namespace halter::capi {

Identity::~Identity() {
  if (auto state = store.lock(); state && key != nullptr) {
    auto it = state->identities.find(key);
    if (it != state->identities.end() && it->second.expired()) state->identities.erase(it);
  }
  if (finalizer != nullptr) finalizer(info);
}

std::shared_ptr<Identity> newIdentity() {
  return std::make_shared<Identity>();
}

wasm_extern_t *newExternHandle(wasm_store_t *store, Extern e) {
  if (!e.valid()) return nullptr;
  std::shared_ptr<Identity> id;
  if (store != nullptr) {
    std::weak_ptr<Identity> &slot = store->state->identities[e.identity()];
    id = slot.lock();
    if (!id) {
      id = newIdentity();
      id->store = store->state;
      id->key = e.identity();
      slot = id;
    }
  } else {
    id = newIdentity();
  }
  switch (e.kind()) {
  case ExternKind::Func:
    return new wasm_func_t(RefKind::Func, store, id, std::move(e));
  case ExternKind::Global:
    return new wasm_global_t(RefKind::Global, store, id, std::move(e));
  case ExternKind::Table:
    return new wasm_table_t(RefKind::Table, store, id, std::move(e));
  case ExternKind::Memory:
    return new wasm_memory_t(RefKind::Memory, store, id, std::move(e));
  }
  return nullptr;
}

wasm_trap_t *newTrap(wasm_store_t *store, std::string message, halter_outcome_kind_t outcome) {
  auto *t = new wasm_trap_t(RefKind::Trap, store, newIdentity());
  t->message = std::move(message);
  t->outcome = outcome;
  return t;
}

wasm_trap_t *trapFor(wasm_store_t *store, const Outcome &out) {
  switch (out.kind) {
  case OutcomeKind::Returned:
    return nullptr;
  case OutcomeKind::Trapped: {
    wasm_trap_t *t = newTrap(store, out.trap.describe());
    for (const BacktraceFrame &f : out.trap.backtrace) {
      wasm_frame_t frame;
      frame.func_index = f.func_index;
      frame.func_offset = f.func_offset;
      frame.module_offset = f.code_offset;
      t->frames.push_back(frame);
    }
    return t;
  }
  case OutcomeKind::OutOfFuel:
    return newTrap(store, "out of fuel", HALTER_OUTCOME_OUT_OF_FUEL);
  case OutcomeKind::DeadlineExceeded:
    return newTrap(store, "deadline exceeded", HALTER_OUTCOME_DEADLINE);
  case OutcomeKind::Cancelled:
    return newTrap(store, "cancelled", HALTER_OUTCOME_CANCELLED);
  case OutcomeKind::Suspended:
    return newTrap(store, "suspended in host call " + out.pending.module + "." + out.pending.name,
                   HALTER_OUTCOME_SUSPENDED);
  case OutcomeKind::Exited: {
    wasm_trap_t *t =
        newTrap(store, "exited with code " + std::to_string(out.exit_code), HALTER_OUTCOME_EXITED);
    t->exit_code = out.exit_code;
    return t;
  }
  }
  return newTrap(store, "unknown outcome");
}

wasm_trap_t *trapForError(wasm_store_t *store, const Error &error) {
  halter_outcome_kind_t kind = HALTER_OUTCOME_INVALID;
  switch (error.code) {
  case ErrorCode::InstantiationTrap:
  case ErrorCode::Trapped:
    kind = HALTER_OUTCOME_TRAPPED;
    break;
  case ErrorCode::OutOfFuel:
    kind = HALTER_OUTCOME_OUT_OF_FUEL;
    break;
  case ErrorCode::DeadlineExceeded:
    kind = HALTER_OUTCOME_DEADLINE;
    break;
  case ErrorCode::Cancelled:
    kind = HALTER_OUTCOME_CANCELLED;
    break;
  case ErrorCode::Exited:
    kind = HALTER_OUTCOME_EXITED;
    break;
  default:
    break;
  }
  return newTrap(store, error.describe(), kind);
}

} // namespace halter::capi

wasm_ref_t *wasm_extern_t::clone() const {
  switch (kind) {
  case RefKind::Func:
    return new wasm_func_t(kind, store, id, ext);
  case RefKind::Global:
    return new wasm_global_t(kind, store, id, ext);
  case RefKind::Table:
    return new wasm_table_t(kind, store, id, ext);
  default:
    return new wasm_memory_t(kind, store, id, ext);
  }
}

namespace {

bool sameRef(const wasm_ref_t *a, const wasm_ref_t *b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->id == b->id) return true;
  auto *ea = dynamic_cast<const wasm_extern_t *>(a);
  auto *eb = dynamic_cast<const wasm_extern_t *>(b);
  return ea != nullptr && eb != nullptr && ea->ext.sameObject(eb->ext);
}

void setHostInfo(wasm_ref_t *r, void *info, void (*finalizer)(void *)) {
  if (r == nullptr) return;
  // The previous info's finalizer is not run: wasm.h replaces it.
  r->id->info = info;
  r->id->finalizer = finalizer;
}

template <class T> T *copyRef(const T *r) {
  if (r == nullptr) return nullptr;
  return guarded<T *>(nullptr, [&] { return static_cast<T *>(r->clone()); });
}

} // namespace

extern "C" {

#define HALTER_C_REF_BASE(name)                                                                    \
  void wasm_##name##_delete(wasm_##name##_t *r) {                                                  \
    delete static_cast<wasm_ref_t *>(r);                                                           \
  }                                                                                                \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *r) {                                  \
    return copyRef(r);                                                                             \
  }                                                                                                \
  bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) {                    \
    return sameRef(a, b);                                                                          \
  }                                                                                                \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *r) {                                    \
    return r != nullptr ? r->id->info : nullptr;                                                   \
  }                                                                                                \
  void wasm_##name##_set_host_info(wasm_##name##_t *r, void *info) {                               \
    setHostInfo(r, info, nullptr);                                                                 \
  }                                                                                                \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *r, void *info,                  \
                                                  void (*finalizer)(void *)) {                     \
    setHostInfo(r, info, finalizer);                                                               \
  }

#define HALTER_C_REF(name, KIND)                                                                   \
  HALTER_C_REF_BASE(name)                                                                          \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *r) {                                           \
    return r;                                                                                      \
  }                                                                                                \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *r) {                         \
    return r;                                                                                      \
  }                                                                                                \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                                             \
    return r != nullptr && r->kind == RefKind::KIND ? static_cast<wasm_##name##_t *>(r) : nullptr; \
  }                                                                                                \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {                         \
    return r != nullptr && r->kind == RefKind::KIND ? static_cast<const wasm_##name##_t *>(r)      \
                                                    : nullptr;                                     \
  }

HALTER_C_REF_BASE(ref)
HALTER_C_REF(trap, Trap)
HALTER_C_REF(foreign, Foreign)
HALTER_C_REF(module, Module)
HALTER_C_REF(func, Func)
HALTER_C_REF(global, Global)
HALTER_C_REF(table, Table)
HALTER_C_REF(memory, Memory)
HALTER_C_REF(instance, Instance)

// wasm_extern_t is a reference of any of the four extern kinds.
HALTER_C_REF_BASE(extern)
wasm_ref_t *wasm_extern_as_ref(wasm_extern_t *r) {
  return r;
}
const wasm_ref_t *wasm_extern_as_ref_const(const wasm_extern_t *r) {
  return r;
}
wasm_extern_t *wasm_ref_as_extern(wasm_ref_t *r) {
  return dynamic_cast<wasm_extern_t *>(r);
}
const wasm_extern_t *wasm_ref_as_extern_const(const wasm_ref_t *r) {
  return dynamic_cast<const wasm_extern_t *>(r);
}
#undef HALTER_C_REF
#undef HALTER_C_REF_BASE

// Foreign objects: a host identity with host info, for externref values.
wasm_foreign_t *wasm_foreign_new(wasm_store_t *store) {
  return guarded<wasm_foreign_t *>(
      nullptr, [&] { return new wasm_foreign_t(RefKind::Foreign, store, newIdentity()); });
}

// Traps.
wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *message) {
  return guarded<wasm_trap_t *>(nullptr, [&] {
    std::string text = nameOf(message);
    // A message is NUL-terminated (wasm_name_new_from_string_nt); the NUL
    // is not part of the text.
    if (!text.empty() && text.back() == '\0') text.pop_back();
    return newTrap(store, std::move(text));
  });
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out) {
  if (out == nullptr) return;
  if (trap == nullptr) return wasm_byte_vec_new_empty(out);
  guardedVoid([&] {
    // With its terminating NUL, as wasm.h's messages are.
    wasm_byte_vec_new_uninitialized(out, trap->message.size() + 1);
    if (out->data == nullptr) return;
    std::memcpy(out->data, trap->message.c_str(), trap->message.size() + 1);
  });
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap) {
  if (trap == nullptr || trap->frames.empty()) return nullptr;
  return new (std::nothrow) wasm_frame_t(trap->frames.front());
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out) {
  if (out == nullptr) return;
  size_t n = trap != nullptr ? trap->frames.size() : 0;
  wasm_frame_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; ++i) {
    out->data[i] = new (std::nothrow) wasm_frame_t(trap->frames[i]);
  }
}

// Frames.
void wasm_frame_delete(wasm_frame_t *f) {
  delete f;
}
wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) {
  return f != nullptr ? new (std::nothrow) wasm_frame_t(*f) : nullptr;
}
wasm_instance_t *wasm_frame_instance(const wasm_frame_t *) {
  return nullptr;
}
uint32_t wasm_frame_func_index(const wasm_frame_t *f) {
  return f != nullptr ? f->func_index : 0;
}
size_t wasm_frame_func_offset(const wasm_frame_t *f) {
  return f != nullptr ? f->func_offset : 0;
}
size_t wasm_frame_module_offset(const wasm_frame_t *f) {
  return f != nullptr ? f->module_offset : 0;
}

// halter_c.h: how a trap's call ended.
const char *halter_outcome_name(halter_outcome_kind_t kind) {
  switch (kind) {
  case HALTER_OUTCOME_RETURNED:
    return "returned";
  case HALTER_OUTCOME_TRAPPED:
    return "trapped";
  case HALTER_OUTCOME_OUT_OF_FUEL:
    return "out of fuel";
  case HALTER_OUTCOME_DEADLINE:
    return "deadline exceeded";
  case HALTER_OUTCOME_CANCELLED:
    return "cancelled";
  case HALTER_OUTCOME_SUSPENDED:
    return "suspended";
  case HALTER_OUTCOME_EXITED:
    return "exited";
  default:
    return "invalid";
  }
}
halter_outcome_kind_t halter_trap_outcome(const wasm_trap_t *trap) {
  return trap != nullptr ? trap->outcome : halter_outcome_kind_t(HALTER_OUTCOME_INVALID);
}
int halter_trap_exit_code(const wasm_trap_t *trap) {
  return trap != nullptr ? trap->exit_code : 0;
}

} // extern "C"
