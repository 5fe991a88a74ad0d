// The guest's descriptor table: what each WASI fd refers to, with its rights
// and the write capability inherited from its preopen.
#pragma once

#include "wasi/abi_types.h"
#include "wasi/unique_fd.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
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

private:
  std::map<uint32_t, std::unique_ptr<FdEntry>> entries_;
  uint32_t max_open_;
};

} // namespace halter::wasi
