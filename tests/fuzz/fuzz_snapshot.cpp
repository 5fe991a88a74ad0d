// libFuzzer target for snapshots (Linker::restore): whatever the bytes, a
// restore fails with InvalidSnapshot or gives an instance that runs inside
// its own memory and table. The checksum is fixed up on every input, since
// a hostile snapshot can compute it too. The first input byte picks what
// the rest is: 0, edits (offset, byte) to a real uncompressed snapshot of
// snapshot_module.wat after its setup; 1, edits to a compressed one; else
// a whole snapshot as it is.
#include "common/hash64.h"

#include "halter/halter.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

using namespace halter;

struct Seed {
  std::shared_ptr<const Module> module;
  std::vector<uint8_t> raw, compressed;
};

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
    return out;
  }();
  return s;
}

void fixChecksum(std::vector<uint8_t> &s) {
  if (s.size() < 56) return;
  uint64_t sum = hash64(std::span<const uint8_t>(s.data(), s.size() - 8));
  std::memcpy(s.data() + s.size() - 8, &sum, 8);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const Seed &s = seed();
  if (size == 0) return 0;
  std::vector<uint8_t> snap;
  if (data[0] < 2) {
    snap = data[0] == 0 ? s.raw : s.compressed;
    // Edits of 3 bytes: a 16-bit offset from the end of the header, a byte.
    for (size_t i = 1; i + 3 <= size; i += 3) {
      size_t at = 48 + (size_t(data[i]) | size_t(data[i + 1]) << 8) % (snap.size() - 48);
      snap[at] = data[i + 2];
    }
  } else {
    snap.assign(data + 1, data + size);
  }
  fixChecksum(snap);
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
