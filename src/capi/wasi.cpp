// halter_c.h's WASI: a configuration of grants, the WASI state made from
// it, and instances whose wasi_snapshot_preview1 imports it serves.
#include "capi/capi.h"

using namespace halter;
using namespace halter::capi;

struct halter_wasi_config_t {
  WasiConfig config;
};

struct halter_wasi_t {
  std::shared_ptr<WasiContext> context;
};

namespace {
constexpr const char *kWasiModule = "wasi_snapshot_preview1";
}

extern "C" {

halter_wasi_config_t *halter_wasi_config_new(void) {
  return guarded<halter_wasi_config_t *>(nullptr, [] {
    auto *c = new halter_wasi_config_t;
    c->config.stdin_stream = WasiStdio::buffer();
    return c;
  });
}

void halter_wasi_config_delete(halter_wasi_config_t *c) {
  delete c;
}

bool halter_wasi_config_set_args(halter_wasi_config_t *c, size_t count, const char *const *args) {
  if (c == nullptr || (args == nullptr && count != 0)) return false;
  return guarded(false, [&] {
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
      if (args[i] == nullptr) return false;
      out.emplace_back(args[i]);
    }
    c->config.args = std::move(out);
    return true;
  });
}

bool halter_wasi_config_add_env(halter_wasi_config_t *c, const char *name, const char *value) {
  if (c == nullptr || name == nullptr || value == nullptr) return false;
  std::string_view n(name);
  if (n.empty() || n.find('=') != std::string_view::npos) return false;
  return guarded(false, [&] {
    c->config.env.push_back(std::string(n) + "=" + value);
    return true;
  });
}

bool halter_wasi_config_preopen_dir(halter_wasi_config_t *c, const char *host_path,
                                    const char *guest_path, bool writable) {
  if (c == nullptr || host_path == nullptr || guest_path == nullptr) return false;
  return guarded(false, [&] {
    c->config.preopens.push_back(WasiPreopen{host_path, guest_path, writable});
    return true;
  });
}

bool halter_wasi_config_set_stdin_bytes(halter_wasi_config_t *c, const wasm_byte_vec_t *in) {
  if (c == nullptr) return false;
  return guarded(false, [&] {
    c->config.stdin_stream = WasiStdio::buffer(
        in != nullptr && in->data != nullptr ? std::string(in->data, in->size) : std::string());
    return true;
  });
}

bool halter_wasi_config_set_stdout_file(halter_wasi_config_t *c, const char *path) {
  if (c == nullptr || path == nullptr) return false;
  return guarded(false, [&] {
    c->config.stdout_stream = WasiStdio::file(path);
    return true;
  });
}

bool halter_wasi_config_set_stderr_file(halter_wasi_config_t *c, const char *path) {
  if (c == nullptr || path == nullptr) return false;
  return guarded(false, [&] {
    c->config.stderr_stream = WasiStdio::file(path);
    return true;
  });
}

void halter_wasi_config_inherit_stdio(halter_wasi_config_t *c) {
  if (c == nullptr) return;
  c->config.stdin_stream = WasiStdio::inherit();
  c->config.stdout_stream = WasiStdio::inherit();
  c->config.stderr_stream = WasiStdio::inherit();
}

void halter_wasi_config_set_deterministic(halter_wasi_config_t *c, bool on, uint64_t seed) {
  if (c == nullptr) return;
  c->config.deterministic = on;
  c->config.seed = seed;
}

halter_wasi_t *halter_wasi_new(wasm_store_t *store, const halter_wasi_config_t *c) {
  if (store == nullptr || c == nullptr) return nullptr;
  return guarded<halter_wasi_t *>(nullptr, [&]() -> halter_wasi_t * {
    auto context = WasiContext::create(c->config);
    if (!context.ok()) {
      store->last_error = context.error().describe();
      return nullptr;
    }
    return new halter_wasi_t{std::move(*context)};
  });
}

void halter_wasi_delete(halter_wasi_t *w) {
  delete w;
}

wasm_instance_t *halter_wasi_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                          halter_wasi_t *wasi, wasm_trap_t **trap) {
  if (trap != nullptr) *trap = nullptr;
  if (store == nullptr || module == nullptr || wasi == nullptr) return nullptr;
  return guarded<wasm_instance_t *>(nullptr, [&]() -> wasm_instance_t * {
    auto fail = [&](const Error &why) -> wasm_instance_t * {
      store->last_error = why.describe();
      if (trap != nullptr) *trap = trapForError(store, why);
      return nullptr;
    };
    for (const ImportInfo &imp : module->module->imports()) {
      if (imp.module != kWasiModule) {
        return fail(makeError(ErrorCode::UnknownImport, kNoOffset,
                              "import " + imp.module + "." + imp.name + " is not a WASI function"));
      }
    }
    Linker linker;
    addWasiToLinker(linker, wasi->context);
    auto inst = linker.instantiate(module->module, store->limits.value_or(Limits{}), store->cancel);
    if (!inst.ok()) return fail(inst.error());
    return newInstanceHandle(store, std::move(*inst));
  });
}

void halter_wasi_stdout(const halter_wasi_t *w, wasm_byte_vec_t *out) {
  if (out == nullptr) return;
  wasm_byte_vec_new_empty(out);
  if (w != nullptr) guardedVoid([&] { setName(out, w->context->capturedStdout()); });
}

void halter_wasi_stderr(const halter_wasi_t *w, wasm_byte_vec_t *out) {
  if (out == nullptr) return;
  wasm_byte_vec_new_empty(out);
  if (w != nullptr) guardedVoid([&] { setName(out, w->context->capturedStderr()); });
}

} // extern "C"
