// The guest's descriptor table: what each WASI fd refers to, with its rights
// and the write capability inherited from its preopen.
#pragma once

#include "wasi/abi_types.h"
#include "wasi/unique_fd.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace halter::wasi {

// A stdio stream held in memory: input the guest reads, or captured output.
struct MemoryStream {
  std::string data;
  size_t read_pos = 0;    // input: next byte the guest reads
  uint64_t max_bytes = 0; // output: capture cap
};

struct DirSnapshotEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = filetype::kUnknown;
};

enum class FdKind : uint8_t {
  Host,   // a host descriptor: file, directory, terminal, pipe or socket
  Memory, // a MemoryStream
  Null,   // end of file on read, writes discarded
};

struct FdEntry {
  FdKind kind = FdKind::Null;
  uint8_t filetype = filetype::kUnknown;
  UniqueFd owned;   // the host descriptor when we own it
  int host_fd = -1; // owned.get(), or a borrowed one (inherited stdio)
  Rights base = 0;
  Rights inheriting = 0;
  uint16_t fdflags = 0;
  // The capability: false beneath a read-only preopen.
  bool writable = false;
  bool is_preopen = false;
  bool is_socket = false;
  std::string preopen_name; // guest path of a preopen
  // Where it came from, so that a saved WASI state (state_snapshot.cpp)
  // can open it again: a stdio stream (0, 1, 2), or a path beneath the
  // preopen named `origin_preopen` opened with `origin_lookup` flags.
  int stdio_index = -1;
  bool beneath_preopen = false;
  bool origin_too_long = false; // beneath, but its path is not kept
  std::string origin_preopen;
  std::string origin_path;
  uint32_t origin_lookup = 0;
  std::shared_ptr<MemoryStream> memory;
  // fd_readdir reads a directory once per cookie-0 call and pages through it.
  std::vector<DirSnapshotEntry> dir_snapshot;
  bool dir_snapshot_valid = false;

  bool isDirectory() const { return filetype == filetype::kDirectory; }
  // Reads and writes on it may block (terminal, pipe, socket): they wait
  // with the deadline in view.
  bool mayBlock() const {
    return kind == FdKind::Host && filetype != filetype::kRegularFile &&
           filetype != filetype::kDirectory && filetype != filetype::kBlockDevice;
  }
};

// A path kept as an origin is at most this long: a guest chaining opens
// ("./" repeated, "d/.." pairs) must not grow host memory without bound.
inline constexpr size_t kMaxOriginPath = 32 * 1024;

// Records in `entry`, just opened at `path` beneath `dir`, where it came
// from (nothing unless `dir` is a preopen or beneath one). "." and empty
// components are dropped; ".." is kept (a symlink may be before it).
void setOrigin(FdEntry &entry, const FdEntry &dir, std::string_view path, uint32_t lookup);

class FdTable {
public:
  explicit FdTable(uint32_t max_open) : max_open_(max_open) {}
  // The entry for `fd` with all of `rights`: EBADF when there is none,
  // ENOTCAPABLE when it lacks a right.
  Errno get(uint32_t fd, Rights rights, FdEntry *&out);
  // Lowest free number; EMFILE at the cap.
  Errno insert(std::unique_ptr<FdEntry> entry, uint32_t &fd_out);
  Errno close(uint32_t fd);
  Errno renumber(uint32_t from, uint32_t to);
  size_t size() const { return entries_.size(); }
  const std::map<uint32_t, std::unique_ptr<FdEntry>> &entries() const { return entries_; }
  // Puts `entry` at `fd` (a restored table); false when `fd` is taken or
  // the table is full.
  bool insertAt(uint32_t fd, std::unique_ptr<FdEntry> entry);
  // Takes the entry at `fd` out of the table (null when there is none).
  std::unique_ptr<FdEntry> release(uint32_t fd);

private:
  std::map<uint32_t, std::unique_ptr<FdEntry>> entries_;
  uint32_t max_open_;
};

} // namespace halter::wasi
