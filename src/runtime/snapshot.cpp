// The snapshot format, version 2. All integers little-endian.
//
//   header (48 bytes)
//     0  magic "\0hsnap\r\n" (a NUL and a CR-LF: text tools and transfers
//        that rewrite line ends break it visibly)
//     8  u32 format version
//    12  u32 kind (1: instance; 2: execution, whose body is the instance part
//        below followed by exec/execution_snapshot.cpp's execution part)
//    16  u64 module hash (hash64 of the module's bytes)
//    24  u8 compression (0: none, 1: zstd), 7 bytes of zero
//    32  u64 body size (uncompressed)
//    40  u64 stored size (what follows the header, before the checksum)
//   stored body
//   u64 checksum: hash64 of everything before it
//
//   body
//     u32 memories (the module's own); each: u64 pages, u32 runs, then per
//         run u32 first block and u32 blocks (4 KiB blocks, increasing, not
//         touching), then the runs' bytes in order. Blocks outside every run
//         are zero.
//     u32 globals (own); each: u8 value type, u64 low bits, u64 high bits
//         (references: 0 null, else the function index + 1)
//     u32 tables (own); each: u8 element type, u32 size, size x u32 (0
//         null, else the function index + 1)
//     u32 data segments, then one byte each: 1 dropped
//     u32 element segments, then one byte each: 1 dropped
//     u64 memory cap, u64 table cap (the instance's limits, for reference)
#include "runtime/snapshot.h"

#include "common/hash64.h"
#include "compile/compiled_module.h"
#include "runtime/instantiate.h"
#include "runtime/snapshot_codec.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

namespace halter::rt {

namespace {

constexpr uint8_t kMagic[8] = {0, 'h', 's', 'n', 'a', 'p', '\r', '\n'};
constexpr size_t kHeaderSize = 48;
constexpr uint64_t kBlock = 4096;
constexpr uint64_t kBlocksPerPage = kPageSize / kBlock;

// `where` names the place for an error; made only then.
template <class Where>
Result<uint64_t> encodeRef(const FunctionCodes &fx, ValType type, RefPtr p, const Where &where) {
  if (type == ValType::ExternRef) {
    if (p != nullptr)
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "cannot snapshot " + where() +
                           ": it holds an externref (a host pointer has no meaning in another "
                           "process); set it to null first");
    return 0;
  }
  std::optional<uint64_t> code = fx.encode(p);
  if (!code)
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "cannot snapshot " + where() +
                         ": it holds a function of another instance, which this module's "
                         "function index space cannot name");
  return *code;
}

void writeMemory(SnapshotWriter &w, const Memory &mem) {
  const uint64_t blocks = mem.sizeBytes() / kBlock;
  const uint8_t *base = mem.data();
  auto zero = [&](uint64_t b) {
    static const uint8_t kZeros[kBlock] = {};
    return std::memcmp(base + b * kBlock, kZeros, kBlock) == 0;
  };
  std::vector<std::pair<uint32_t, uint32_t>> runs;
  for (uint64_t b = 0; b < blocks;) {
    if (zero(b)) {
      ++b;
      continue;
    }
    uint64_t end = b + 1;
    while (end < blocks && !zero(end)) ++end;
    runs.emplace_back(uint32_t(b), uint32_t(end - b));
    b = end;
  }
  w.u64(mem.pages());
  w.u32(uint32_t(runs.size()));
  for (auto [first, count] : runs) {
    w.u32(first);
    w.u32(count);
  }
  for (auto [first, count] : runs) w.raw(base + uint64_t(first) * kBlock, uint64_t(count) * kBlock);
}

} // namespace

Result<void> writeInstanceBody(const Instance &inst, SnapshotWriter &w) {
  const ir::Module &m = inst.module->ir;
  FunctionCodes fx(inst);
  const size_t first_memory = m.imported_memories.size();
  w.u32(uint32_t(m.memories.size()));
  for (size_t i = 0; i < m.memories.size(); ++i) writeMemory(w, *inst.memories[first_memory + i]);

  const size_t first_global = m.imported_globals.size();
  w.u32(uint32_t(m.globals.size()));
  for (size_t i = 0; i < m.globals.size(); ++i) {
    const Global &g = *inst.globals[first_global + i];
    const ValType t = g.type().type;
    w.u8(uint8_t(t));
    if (isRefType(t)) {
      HALTER_ASSIGN_OR_RETURN(uint64_t code, encodeRef(fx, t, g.get().asRef(), [&] {
                                return "global " + std::to_string(first_global + i);
                              }));
      w.u64(code);
      w.u64(0);
    } else {
      // A 32-bit value is its low word, whatever the slot it came from held above.
      const bool narrow = t == ValType::I32 || t == ValType::F32;
      w.u64(narrow ? g.lo_ & 0xFFFFFFFFu : g.lo_);
      w.u64(t == ValType::V128 ? g.hi_ : 0);
    }
  }

  const size_t first_table = m.imported_tables.size();
  w.u32(uint32_t(m.tables.size()));
  for (size_t i = 0; i < m.tables.size(); ++i) {
    const Table &t = *inst.tables[first_table + i];
    const ValType elem = t.type().elem;
    w.u8(uint8_t(elem));
    w.u32(t.size());
    for (uint32_t e = 0; e < t.size(); ++e) {
      HALTER_ASSIGN_OR_RETURN(uint64_t code, encodeRef(fx, elem, t.elems_[e], [&] {
                                return "table " + std::to_string(first_table + i) + " element " +
                                       std::to_string(e);
                              }));
      w.u32(uint32_t(code));
    }
  }

  w.u32(uint32_t(inst.data_dropped.size()));
  for (bool d : inst.data_dropped) w.u8(d ? 1 : 0);
  w.u32(uint32_t(inst.elem_segments.size()));
  for (size_t i = 0; i < inst.elem_segments.size(); ++i)
    w.u8(inst.elem_segments[i].empty() && !m.elems[i].items.empty() ? 1 : 0);
  w.u64(inst.limits.max_memory_bytes);
  w.u64(inst.limits.max_table_elements);
  return okResult();
}

namespace {

void putU32(uint8_t *p, uint32_t v) {
  std::memcpy(p, &v, 4);
}
void putU64(uint8_t *p, uint64_t v) {
  std::memcpy(p, &v, 8);
}
uint32_t getU32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
uint64_t getU64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

} // namespace

Result<std::vector<uint8_t>> writeInstanceSnapshot(const Instance &inst, bool compress) {
  if (inst.module == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "no module to snapshot");
  SnapshotWriter w;
  HALTER_TRY(writeInstanceBody(inst, w));
  return sealSnapshot(kSnapshotKindInstance, inst.module->content_hash, w.bytes(), compress);
}

Result<std::vector<uint8_t>> sealSnapshot(uint32_t kind, uint64_t module_hash,
                                          std::span<const uint8_t> body, bool compress) {
  std::vector<uint8_t> out(kHeaderSize);
  std::memcpy(out.data(), kMagic, 8);
  putU32(out.data() + 8, kSnapshotVersion);
  putU32(out.data() + 12, kind);
  putU64(out.data() + 16, module_hash);
  putU64(out.data() + 32, body.size());
  if (compress) {
    out[24] = 1;
    out.resize(kHeaderSize + ZSTD_compressBound(body.size()));
    size_t n = ZSTD_compress(out.data() + kHeaderSize, out.size() - kHeaderSize, body.data(),
                             body.size(), 3);
    if (ZSTD_isError(n))
      return makeError(ErrorCode::Internal, kNoOffset,
                       std::string("snapshot: zstd: ") + ZSTD_getErrorName(n));
    out.resize(kHeaderSize + n);
  } else {
    out.insert(out.end(), body.begin(), body.end());
  }
  putU64(out.data() + 40, out.size() - kHeaderSize);
  const uint64_t sum = hash64(out);
  out.resize(out.size() + 8);
  putU64(out.data() + out.size() - 8, sum);
  return out;
}

namespace {

const char *kindName(uint32_t kind) {
  return kind == kSnapshotKindExecution ? "an execution snapshot (restore it with "
                                          "Linker::restoreExecution)"
                                        : "an instance snapshot (restore it with Linker::restore)";
}

} // namespace

Result<std::vector<uint8_t>> openSnapshot(const compile::CompiledModule &cm,
                                          std::span<const uint8_t> bytes, uint32_t kind,
                                          uint64_t extra_bound) {
  if (bytes.size() < kHeaderSize + 8)
    return invalidSnapshot("only " + std::to_string(bytes.size()) +
                           " bytes; a snapshot has at least " + std::to_string(kHeaderSize + 8));
  if (std::memcmp(bytes.data(), kMagic, 8) != 0)
    return invalidSnapshot("not a halter snapshot (magic)");
  const uint32_t version = getU32(bytes.data() + 8);
  if (version != kSnapshotVersion)
    return invalidSnapshot("format version " + std::to_string(version) +
                           "; this halter reads version " + std::to_string(kSnapshotVersion));
  const uint64_t stored = getU64(bytes.data() + 40);
  if (stored != bytes.size() - kHeaderSize - 8)
    return invalidSnapshot("truncated or extended: the header says " + std::to_string(stored) +
                           " stored bytes, there are " +
                           std::to_string(bytes.size() - kHeaderSize - 8));
  const uint64_t sum = getU64(bytes.data() + bytes.size() - 8);
  if (hash64(bytes.first(bytes.size() - 8)) != sum)
    return invalidSnapshot("checksum mismatch: the snapshot is corrupted");
  const uint32_t stored_kind = getU32(bytes.data() + 12);
  if (stored_kind != kSnapshotKindInstance && stored_kind != kSnapshotKindExecution)
    return invalidSnapshot("unknown kind " + std::to_string(stored_kind));
  if (stored_kind != kind) return invalidSnapshot(std::string("this is ") + kindName(stored_kind));
  if (getU64(bytes.data() + 16) != cm.content_hash)
    return invalidSnapshot("taken of another module (module hash differs)");
  for (size_t i = 25; i < 32; ++i)
    if (bytes[i] != 0) return invalidSnapshot("reserved header bytes are not zero");
  const uint8_t compression = bytes[24];
  const uint64_t body_size = getU64(bytes.data() + 32);
  std::span<const uint8_t> stored_body = bytes.subspan(kHeaderSize, size_t(stored));
  if (compression == 0) {
    if (body_size != stored) return invalidSnapshot("body size differs from the stored size");
    return std::vector<uint8_t>(stored_body.begin(), stored_body.end());
  }
  if (compression != 1)
    return invalidSnapshot("unknown compression " + std::to_string(compression));
  unsigned long long frame = ZSTD_getFrameContentSize(stored_body.data(), stored_body.size());
  if (frame == ZSTD_CONTENTSIZE_ERROR || frame == ZSTD_CONTENTSIZE_UNKNOWN || frame != body_size)
    return invalidSnapshot("the compressed body's size does not match the header");
  const ir::Module &m = cm.ir;
  uint64_t bound = 1 << 20;
  for (const MemoryType &t : m.memories)
    bound += std::min(t.limits.max.value_or(kMaxPages), kMaxPages) * (kPageSize + 8);
  for (const TableType &t : m.tables)
    bound += std::min<uint64_t>(t.limits.max.value_or(UINT32_MAX), UINT32_MAX) * 4 + 5;
  bound += (m.globals.size() * 17) + m.datas.size() + m.elems.size() + extra_bound;
  if (body_size > bound)
    return invalidSnapshot("a body of " + std::to_string(body_size) +
                           " bytes cannot be this module's");
  std::vector<uint8_t> body(static_cast<size_t>(body_size));
  size_t n = ZSTD_decompress(body.data(), body.size(), stored_body.data(), stored_body.size());
  if (ZSTD_isError(n) || n != body_size)
    return invalidSnapshot(std::string("the compressed body is damaged (zstd: ") +
                           (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short") + ")");
  return body;
}

namespace {

// A reference code (0 null, else function index + 1) checked against the
// module's function index space.
Result<uint64_t> checkRefCode(const ir::Module &m, ValType type, uint64_t code,
                              const std::string &where) {
  if (code == 0) return code;
  if (type == ValType::ExternRef) return invalidSnapshot(where + ": a non-null externref");
  const uint64_t funcs = m.imported_funcs.size() + m.functions.size();
  if (code - 1 >= funcs)
    return invalidSnapshot(where + ": function index " + std::to_string(code - 1) +
                           " is outside the module's " + std::to_string(funcs) + " functions");
  return code;
}

Result<ResetPoint::MemoryState> readMemory(SnapshotReader &r, const MemoryType &type,
                                           size_t index) {
  const std::string where = "memory " + std::to_string(index);
  HALTER_ASSIGN_OR_RETURN(uint64_t pages, r.u64("a memory's size"));
  const uint64_t type_max = std::min(type.limits.max.value_or(kMaxPages), kMaxPages);
  if (pages > type_max)
    return invalidSnapshot(where + ": " + std::to_string(pages) +
                           " pages, above its type's maximum of " + std::to_string(type_max));
  if (pages < type.limits.min)
    return invalidSnapshot(where + ": " + std::to_string(pages) + " pages, below the " +
                           std::to_string(type.limits.min) + " it is made with");
  HALTER_ASSIGN_OR_RETURN(uint32_t run_count, r.u32("a memory's run count"));
  const uint64_t blocks = pages * kBlocksPerPage;
  if (uint64_t(run_count) * 8 > r.left())
    return invalidSnapshot(where + ": " + std::to_string(run_count) +
                           " runs do not fit in the body");
  std::vector<compile::MemoryImage::Run> runs(run_count);
  uint64_t next_free = 0, data_bytes = 0;
  for (uint32_t i = 0; i < run_count; ++i) {
    HALTER_ASSIGN_OR_RETURN(uint32_t first, r.u32("a memory run"));
    HALTER_ASSIGN_OR_RETURN(uint32_t count, r.u32("a memory run"));
    if (count == 0 || first < next_free || uint64_t(first) + count > blocks)
      return invalidSnapshot(where + ": run " + std::to_string(i) + " (blocks " +
                             std::to_string(first) + "+" + std::to_string(count) +
                             ") is empty, out of order or past the memory's " +
                             std::to_string(blocks) + " blocks");
    next_free = uint64_t(first) + count;
    runs[i].offset = uint64_t(first) * kBlock;
    runs[i].size = uint64_t(count) * kBlock;
    data_bytes += runs[i].size;
  }
  HALTER_ASSIGN_OR_RETURN(std::span<const uint8_t> data, r.take(data_bytes, "a memory's bytes"));
  ResetPoint::MemoryState out;
  out.pages = pages;
  if (!runs.empty()) {
    const uint8_t *from = data.data();
    for (compile::MemoryImage::Run &run : runs) {
      run.data = from;
      from += run.size;
    }
    out.image = compile::MemoryImage::fromRuns(runs);
    if (!out.image)
      return makeError(ErrorCode::ResourceLimit, kNoOffset,
                       "snapshot: the system refused a memory image for " + where);
  }
  return out;
}

} // namespace

Result<std::shared_ptr<const ResetPoint>> readSnapshot(const compile::CompiledModule &cm,
                                                       std::span<const uint8_t> bytes) {
  HALTER_ASSIGN_OR_RETURN(std::vector<uint8_t> body,
                          openSnapshot(cm, bytes, kSnapshotKindInstance, 0));
  SnapshotReader r(body);
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<const ResetPoint> point, readInstanceBody(cm, r));
  if (r.left() != 0)
    return invalidSnapshot(std::to_string(r.left()) + " bytes after the body's last field");
  return point;
}

Result<std::shared_ptr<const ResetPoint>> readInstanceBody(const compile::CompiledModule &cm,
                                                           SnapshotReader &r) {
  const ir::Module &m = cm.ir;
  auto point = std::make_shared<ResetPoint>();
  HALTER_ASSIGN_OR_RETURN(uint32_t memories, r.u32("the memory count"));
  if (memories != m.memories.size())
    return invalidSnapshot(std::to_string(memories) + " memories; the module defines " +
                           std::to_string(m.memories.size()));
  for (size_t i = 0; i < memories; ++i) {
    HALTER_ASSIGN_OR_RETURN(ResetPoint::MemoryState mem,
                            readMemory(r, m.memories[i], m.imported_memories.size() + i));
    point->memories.push_back(std::move(mem));
  }

  HALTER_ASSIGN_OR_RETURN(uint32_t globals, r.u32("the global count"));
  if (globals != m.globals.size())
    return invalidSnapshot(std::to_string(globals) + " globals; the module defines " +
                           std::to_string(m.globals.size()));
  for (size_t i = 0; i < globals; ++i) {
    const std::string where = "global " + std::to_string(m.imported_globals.size() + i);
    HALTER_ASSIGN_OR_RETURN(uint8_t type, r.u8("a global's type"));
    HALTER_ASSIGN_OR_RETURN(uint64_t lo, r.u64("a global's value"));
    HALTER_ASSIGN_OR_RETURN(uint64_t hi, r.u64("a global's value"));
    const ValType t = m.globals[i].type.type;
    if (type != uint8_t(t)) return invalidSnapshot(where + ": its type differs from the module's");
    if (isRefType(t)) {
      if (hi != 0) return invalidSnapshot(where + ": a reference with high bits");
      HALTER_TRY(checkRefCode(m, t, lo, where));
    } else {
      // Only the bits a value of the type has (a v128 has both words).
      if (t != ValType::V128 && hi != 0) return invalidSnapshot(where + ": high bits set");
      if ((t == ValType::I32 || t == ValType::F32) && (lo >> 32) != 0)
        return invalidSnapshot(where + ": a 32-bit value with bits above 32");
    }
    point->globals.push_back({lo, hi});
  }

  HALTER_ASSIGN_OR_RETURN(uint32_t tables, r.u32("the table count"));
  if (tables != m.tables.size())
    return invalidSnapshot(std::to_string(tables) + " tables; the module defines " +
                           std::to_string(m.tables.size()));
  for (size_t i = 0; i < tables; ++i) {
    const TableType &type = m.tables[i];
    const std::string where = "table " + std::to_string(m.imported_tables.size() + i);
    HALTER_ASSIGN_OR_RETURN(uint8_t elem, r.u8("a table's type"));
    HALTER_ASSIGN_OR_RETURN(uint32_t size, r.u32("a table's size"));
    if (elem != uint8_t(type.elem)) return invalidSnapshot(where + ": its type differs");
    if (uint64_t(size) * 4 > r.left())
      return invalidSnapshot(where + ": " + std::to_string(size) +
                             " elements do not fit in the body");
    if (size < type.limits.min || (type.limits.max && size > *type.limits.max))
      return invalidSnapshot(where + ": " + std::to_string(size) +
                             " elements, outside its type's limits");
    std::vector<uint32_t> codes(size);
    for (uint32_t e = 0; e < size; ++e) {
      HALTER_ASSIGN_OR_RETURN(uint32_t code, r.u32("a table element"));
      HALTER_TRY(checkRefCode(m, type.elem, code, where + " element " + std::to_string(e)));
      codes[e] = code;
    }
    point->tables.push_back(std::move(codes));
  }

  HALTER_ASSIGN_OR_RETURN(uint32_t datas, r.u32("the data segment count"));
  if (datas != m.datas.size())
    return invalidSnapshot(std::to_string(datas) + " data segments; the module has " +
                           std::to_string(m.datas.size()));
  for (size_t i = 0; i < datas; ++i) {
    HALTER_ASSIGN_OR_RETURN(uint8_t d, r.u8("a data segment flag"));
    if (d > 1)
      return invalidSnapshot("data segment " + std::to_string(i) + ": flag " + std::to_string(d));
    point->data_dropped.push_back(d == 1);
  }
  HALTER_ASSIGN_OR_RETURN(uint32_t elems, r.u32("the element segment count"));
  if (elems != m.elems.size())
    return invalidSnapshot(std::to_string(elems) + " element segments; the module has " +
                           std::to_string(m.elems.size()));
  for (size_t i = 0; i < elems; ++i) {
    HALTER_ASSIGN_OR_RETURN(uint8_t d, r.u8("an element segment flag"));
    if (d > 1)
      return invalidSnapshot("element segment " + std::to_string(i) + ": flag " +
                             std::to_string(d));
    // Active and declarative segments are dropped by instantiation.
    if (d == 0 && m.elems[i].mode != ir::SegmentMode::Passive && !m.elems[i].items.empty())
      return invalidSnapshot(
          "element segment " + std::to_string(i) +
          " is not dropped, but every instance drops it (active or declarative)");
    point->elem_dropped.push_back(d == 1);
  }
  HALTER_TRY(r.u64("the memory cap"));
  HALTER_TRY(r.u64("the table cap"));
  return std::shared_ptr<const ResetPoint>(std::move(point));
}

namespace {

// Globals, table contents and segments from `point` (memories are done by
// the caller: adopted at restore, reset at reset).
Result<void> applyTablesGlobalsSegments(Instance &inst, const ResetPoint &point) {
  const ir::Module &m = inst.module->ir;
  const size_t first_global = m.imported_globals.size();
  for (size_t i = 0; i < point.globals.size(); ++i) {
    Global &g = *inst.globals[first_global + i];
    const ValType t = g.type().type;
    if (isRefType(t)) {
      g.set(Value::ref(t, refOfCode(inst, point.globals[i].lo)));
    } else {
      g.lo_ = point.globals[i].lo;
      g.hi_ = point.globals[i].hi;
    }
  }
  const size_t first_table = m.imported_tables.size();
  for (size_t i = 0; i < point.tables.size(); ++i) {
    Table &t = *inst.tables[first_table + i];
    const std::vector<uint32_t> &codes = point.tables[i];
    const uint32_t size = uint32_t(codes.size());
    if (size > t.size()) {
      if (t.grow(size - t.size(), nullptr) < 0)
        return invalidSnapshot("table " + std::to_string(first_table + i) + ": " +
                               std::to_string(size) + " elements, above the table cap");
    } else {
      t.resetTo(size, nullptr);
    }
    for (uint32_t e = 0; e < size; ++e) t.elems_[e] = refOfCode(inst, codes[e]);
  }
  HALTER_TRY(resolveSegments(inst));
  for (size_t i = 0; i < point.data_dropped.size(); ++i)
    inst.data_dropped[i] = point.data_dropped[i];
  for (size_t i = 0; i < point.elem_dropped.size(); ++i)
    if (point.elem_dropped[i]) inst.elem_segments[i].clear();
  return okResult();
}

} // namespace

Result<void> applyResetPoint(Instance &inst, std::shared_ptr<const ResetPoint> point) {
  const ir::Module &m = inst.module->ir;
  const size_t first_memory = m.imported_memories.size();
  for (size_t i = 0; i < point->memories.size(); ++i) {
    auto adopted = inst.memories[first_memory + i]->adoptImage(point->memories[i].pages,
                                                               point->memories[i].image);
    if (!adopted)
      return invalidSnapshot("memory " + std::to_string(first_memory + i) + ": " +
                             adopted.error().message);
  }
  HALTER_TRY(applyTablesGlobalsSegments(inst, *point));
  inst.reset_point = std::move(point);
  return okResult();
}

Result<void> resetToPoint(Instance &inst) {
  const ResetPoint &point = *inst.reset_point;
  const size_t first_memory = inst.module->ir.imported_memories.size();
  for (size_t i = 0; i < point.memories.size(); ++i)
    HALTER_TRY(inst.memories[first_memory + i]->resetTo(point.memories[i].pages));
  inst.last_host_error.clear();
  return applyTablesGlobalsSegments(inst, point);
}

} // namespace halter::rt
