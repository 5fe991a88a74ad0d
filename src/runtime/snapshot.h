// Instance snapshots: an instance's state as bytes (memories, globals,
// tables, dropped segments) and back. The format is described in
// snapshot.cpp; README "Snapshots" says what it holds for users.
#pragma once

#include "compile/memory_image.h"
#include "halter/result.h"
#include "runtime/instance.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace halter::rt {

// 2: the execution part ends with the embedder's host state.
inline constexpr uint32_t kSnapshotVersion = 2;
// What a snapshot holds (header field "kind").
inline constexpr uint32_t kSnapshotKindInstance = 1;
inline constexpr uint32_t kSnapshotKindExecution = 2; // exec/execution_snapshot.cpp

class SnapshotReader;
class SnapshotWriter;

// The state of `inst`'s own memories, globals and tables and its dropped
// segments. Refused (InvalidArgument) when a reference cannot be named by
// the module's function index space: a non-null externref, or a funcref of
// a function that is not in the instance's index space.
Result<std::vector<uint8_t>> writeInstanceSnapshot(const Instance &inst, bool compress);

// The parts, for snapshots that hold more than an instance. The instance's
// part of a body (refusals as writeInstanceSnapshot):
Result<void> writeInstanceBody(const Instance &inst, SnapshotWriter &w);
// The header, optional zstd compression and the checksum around `body`.
Result<std::vector<uint8_t>> sealSnapshot(uint32_t kind, uint64_t module_hash,
                                          std::span<const uint8_t> body, bool compress);
// The body of `bytes`, a snapshot of `kind` of an instance of `cm`, with its
// header and checksum checked and inflated. A compressed body may be at most
// what the module's memories and tables can hold, plus `extra_bound` bytes.
Result<std::vector<uint8_t>> openSnapshot(const compile::CompiledModule &cm,
                                          std::span<const uint8_t> bytes, uint32_t kind,
                                          uint64_t extra_bound);

// A snapshot read and checked against its module, ready to restore any
// number of instances (their memories map its images copy-on-write) and
// to reset them to (Instance::reset_point). References are function-index
// codes (0 null, else index + 1), made pointers per instance.
struct ResetPoint {
  struct MemoryState {
    uint64_t pages = 0;
    std::shared_ptr<const compile::MemoryImage> image; // null: all zero
  };
  struct GlobalState {
    uint64_t lo = 0, hi = 0;
  };
  std::vector<MemoryState> memories; // the module's own, in order
  std::vector<GlobalState> globals;
  std::vector<std::vector<uint32_t>> tables;
  std::vector<bool> data_dropped, elem_dropped;
};

// Reads `bytes`, a snapshot of an instance of `cm`: every count, size, type
// and reference is checked against the module (InvalidSnapshot, with what
// and where, for anything that does not fit).
Result<std::shared_ptr<const ResetPoint>> readSnapshot(const compile::CompiledModule &cm,
                                                       std::span<const uint8_t> bytes);
// The instance's part of a body, read from `r` (left after it).
Result<std::shared_ptr<const ResetPoint>> readInstanceBody(const compile::CompiledModule &cm,
                                                           SnapshotReader &r);

// Puts `inst` (fresh from instantiation) in the state of `point`, which
// becomes its reset point. InvalidSnapshot where the instance's caps do not
// allow the snapshot's sizes.
Result<void> applyResetPoint(Instance &inst, std::shared_ptr<const ResetPoint> point);

// resetInstance for an instance with a reset point.
Result<void> resetToPoint(Instance &inst);

} // namespace halter::rt
