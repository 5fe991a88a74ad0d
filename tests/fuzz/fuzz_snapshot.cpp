// libFuzzer target for snapshots (Linker::restore, restoreExecution):
// whatever the bytes, a restore fails with InvalidSnapshot (or, for an
// execution, InvalidArgument) or gives an instance or execution that runs
// inside its own memory and table. The checksum is fixed up on every input,
// since a hostile snapshot can compute it too. The first input byte picks
// what the rest is: 0, edits (offset, byte) to a real uncompressed snapshot
// of snapshot_module.wat after its setup; 1, edits to a compressed one; 2
// and 3, edits to an uncompressed and a compressed execution snapshot of
// execution_module.wat parked 40 frames deep; 4, a whole execution
// snapshot; 5, edits to a real WASI state (WasiContext::saveState of
// wasi_state_module.wat with files and a directory open beneath its
// preopen); 6, a whole WASI state; else a whole instance snapshot. A WASI
// state restores or is refused, and a restored one holds nothing outside
// the granted directory (every descriptor's host path is checked) and
// saves again.
#include "common/hash64.h"
#include "wasi/state.h"

#include "halter/halter.h"
#include "halter/wasi.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <vector>

namespace {

using namespace halter;

struct Seed {
  std::shared_ptr<const Module> module;
  std::vector<uint8_t> raw, compressed;
  std::shared_ptr<const Module> exec_module;
  std::vector<uint8_t> exec_raw, exec_compressed;
  std::string wasi_dir; // the granted directory, with targets for escapes
  std::vector<uint8_t> wasi_state;
};

WasiConfig wasiGrants(const std::string &dir) {
  WasiConfig config;
  config.preopens = {{dir, "/data", true}};
  config.max_open_fds = 64;
  return config;
}

std::shared_ptr<const Module> compileFile(const char *path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  auto m = Module::compile(bytes);
  if (!m.ok()) std::abort();
  return *m;
}

// execution_module.wat's import: it always suspends.
Linker waitLinker() {
  Linker linker;
  linker.defineFunc("host", "wait", FuncType{{}, {ValType::I32}},
                    [](CallContext &, auto, auto) { return HostResult::suspend(); });
  return linker;
}

Limits execLimits() {
  Limits l;
  l.fuel = 1000000;
  return l;
}

const Seed &seed() {
  static const Seed s = [] {
    Seed out;
    std::ifstream in(HALTER_SNAPSHOT_MODULE, std::ios::binary);
    std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
    auto m = Module::compile(bytes);
    if (!m.ok()) std::abort();
    out.module = *m;
    auto inst = Linker().instantiate(out.module);
    if (!inst.ok() || !(*inst)->call("setup", {}).ok()) std::abort();
    SnapshotOptions raw;
    raw.compress = false;
    auto a = (*inst)->snapshot(raw);
    auto b = (*inst)->snapshot();
    if (!a.ok() || !b.ok()) std::abort();
    out.raw = *a;
    out.compressed = *b;
    out.exec_module = compileFile(HALTER_EXECUTION_MODULE);
    auto exec_inst = waitLinker().instantiate(out.exec_module);
    if (!exec_inst.ok()) std::abort();
    auto ex = (*exec_inst)->start("rec", {{Value::i32(40)}}, CallOptions{execLimits(), {}});
    if (!ex.ok() || !ex->run().ok() || !ex->suspended()) std::abort();
    auto c = ex->snapshot(raw);
    auto d = ex->snapshot();
    if (!c.ok() || !d.ok()) std::abort();
    out.exec_raw = *c;
    out.exec_compressed = *d;

    char tmpl[] = "/tmp/halter-fuzz-wasi-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    out.wasi_dir = tmpl;
    static std::string remove_at_exit = out.wasi_dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(remove_at_exit, ec);
    });
    std::filesystem::create_directories(out.wasi_dir + "/sub/deeper");
    std::ofstream(out.wasi_dir + "/in.txt") << "input";
    std::ofstream(out.wasi_dir + "/out.txt") << "output";
    // Ways out a forged path might try.
    std::filesystem::create_symlink("/etc", out.wasi_dir + "/etc");
    std::filesystem::create_symlink("..", out.wasi_dir + "/sub/up");
    auto context = WasiContext::create(wasiGrants(out.wasi_dir));
    if (!context.ok()) std::abort();
    Linker wasi_linker;
    addWasiToLinker(wasi_linker, *context);
    auto wasi_inst = wasi_linker.instantiate(compileFile(HALTER_WASI_STATE_MODULE));
    if (!wasi_inst.ok()) std::abort();
    auto opened = (*wasi_inst)->call("open_files", {});
    if (!opened.ok() || !opened->returned() || opened->results[0].asI32() != 0) std::abort();
    auto state = (*context)->saveState();
    if (!state.ok()) std::abort();
    out.wasi_state = *state;
    return out;
  }();
  return s;
}

void fixChecksum(std::vector<uint8_t> &s) {
  if (s.size() < 56) return;
  uint64_t sum = hash64(std::span<const uint8_t>(s.data(), s.size() - 8));
  std::memcpy(s.data() + s.size() - 8, &sum, 8);
}

// An execution restored from `snap` runs to an outcome.
int restoreExecution(const Seed &s, const std::vector<uint8_t> &snap) {
  auto r = waitLinker().restoreExecution(s.exec_module, snap);
  if (!r.ok()) {
    if (r.error().code != ErrorCode::InvalidSnapshot &&
        r.error().code != ErrorCode::InvalidArgument)
      std::abort();
    return 0;
  }
  Execution &ex = r->execution;
  ex.addFuel(1000000); // an unmetered one ignores it; the guest has no loops
  if (ex.suspended() && !ex.resume({{Value::i32(3)}}).ok()) std::abort();
  for (int runs = 0; runs < 4 && !ex.finished(); ++runs) {
    auto out = ex.run();
    if (!out.ok()) std::abort();
    if (out->kind == OutcomeKind::Suspended && !ex.resume({{Value::i32(5)}}).ok()) std::abort();
  }
  return 0;
}

// A WASI state restored from `bytes` holds only descriptors beneath the
// granted directory, and saves again.
int restoreWasiState(const Seed &s, const std::vector<uint8_t> &bytes) {
  static std::shared_ptr<WasiContext> context = WasiContext::create(wasiGrants(s.wasi_dir)).value();
  auto r = context->restoreState(bytes, wasiGrants(s.wasi_dir));
  if (!r.ok()) {
    switch (r.error().code) {
    case ErrorCode::InvalidSnapshot:
    case ErrorCode::InvalidArgument:
    case ErrorCode::NotFound:
    case ErrorCode::ResourceLimit:
    case ErrorCode::Io:
      return 0;
    default:
      std::abort();
    }
  }
  const std::string root = std::filesystem::canonical(s.wasi_dir).string();
  for (const auto &[number, entry] : detail::WasiAccess::state(*context).fds.entries()) {
    if (entry->stdio_index >= 0) continue;
    char link[4096];
    const std::string proc = "/proc/self/fd/" + std::to_string(entry->host_fd);
    ssize_t n = readlink(proc.c_str(), link, sizeof link - 1);
    if (n <= 0) std::abort();
    const std::string target(link, size_t(n));
    if (target != root && target.rfind(root + "/", 0) != 0) std::abort(); // an escape
  }
  if (!context->saveState().ok()) std::abort();
  return 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const Seed &s = seed();
  if (size == 0) return 0;
  std::vector<uint8_t> snap;
  if (data[0] < 4) {
    const std::vector<uint8_t> *base[] = {&s.raw, &s.compressed, &s.exec_raw, &s.exec_compressed};
    snap = *base[data[0]];
    // Edits of 3 bytes: a 16-bit offset from the end of the header, a byte.
    for (size_t i = 1; i + 3 <= size; i += 3) {
      size_t at = 48 + (size_t(data[i]) | size_t(data[i + 1]) << 8) % (snap.size() - 48);
      snap[at] = data[i + 2];
    }
  } else if (data[0] == 5) {
    snap = s.wasi_state;
    for (size_t i = 1; i + 3 <= size; i += 3) {
      size_t at = (size_t(data[i]) | size_t(data[i + 1]) << 8) % snap.size();
      snap[at] = data[i + 2];
    }
    return restoreWasiState(s, snap);
  } else {
    snap.assign(data + 1, data + size);
  }
  if (data[0] == 6) return restoreWasiState(s, snap);
  fixChecksum(snap);
  if (data[0] == 2 || data[0] == 3 || data[0] == 4) return restoreExecution(s, snap);
  auto r = Linker().restore(s.module, snap);
  if (!r.ok()) {
    if (r.error().code != ErrorCode::InvalidSnapshot) std::abort();
    return 0;
  }
  Instance &inst = **r;
  auto mem = inst.getExport("memory");
  if (!mem.ok() || mem->memoryBytes().size() > 16 * kPageSize) std::abort();
  for (int slot = 0; slot < 10; ++slot)
    if (!inst.call("call_slot", {{Value::i32(slot)}}).ok()) std::abort();
  for (const char *f : {"count", "big", "ratio", "fn_is_null", "table_size", "reinit", "retable"})
    if (!inst.call(f, {}).ok()) std::abort();
  return 0;
}
