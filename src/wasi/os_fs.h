// OS layer: the filesystem work behind fd_* and path_* (host strings and
// descriptors in, errno out; guest memory is the ABI layer's business).
// Every path is resolved beneath its directory descriptor, and every
// change beneath a read-only preopen is refused with EROFS here, whatever
// the rights say.
#pragma once

#include "wasi/abi_types.h"
#include "wasi/clock_random.h"
#include "wasi/fd_table.h"

#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

namespace halter::wasi {

struct Filestat {
  uint64_t dev = 0, ino = 0;
  uint8_t filetype = filetype::kUnknown;
  uint64_t nlink = 0, size = 0, atim = 0, mtim = 0, ctim = 0;
};

uint8_t filetypeFromMode(mode_t mode);
Filestat filestatFrom(const struct stat &st);

Errno fdFilestat(const FdEntry &entry, Filestat &out);
Errno fdSetSize(const FdEntry &entry, uint64_t size);
Errno fdSetTimes(const FdEntry &entry, uint64_t atim, uint64_t mtim, uint16_t fstflags,
                 WasiClock &clock);
Errno fdAllocate(const FdEntry &entry, uint64_t offset, uint64_t len);
// Reads the whole directory into `out` (sorted by name, so listings are
// reproducible).
Errno readDirectory(int dirfd, std::vector<DirSnapshotEntry> &out);

Errno pathOpen(const FdEntry &dir, std::string_view path, uint32_t lookup, uint16_t oflags,
               Rights base, Rights inheriting, uint16_t fdflags, std::unique_ptr<FdEntry> &out);
Errno pathFilestat(const FdEntry &dir, uint32_t lookup, std::string_view path, Filestat &out);
Errno pathSetTimes(const FdEntry &dir, uint32_t lookup, std::string_view path, uint64_t atim,
                   uint64_t mtim, uint16_t fstflags, WasiClock &clock);
Errno pathCreateDirectory(const FdEntry &dir, std::string_view path);
Errno pathRemoveDirectory(const FdEntry &dir, std::string_view path);
Errno pathUnlinkFile(const FdEntry &dir, std::string_view path);
Errno pathRename(const FdEntry &old_dir, std::string_view old_path, const FdEntry &new_dir,
                 std::string_view new_path);
Errno pathSymlink(std::string_view target, const FdEntry &dir, std::string_view path);
Errno pathLink(const FdEntry &old_dir, uint32_t lookup, std::string_view old_path,
               const FdEntry &new_dir, std::string_view new_path);
Errno pathReadlink(const FdEntry &dir, std::string_view path, std::string &out);

} // namespace halter::wasi
