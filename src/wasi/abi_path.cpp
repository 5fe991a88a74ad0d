// ABI: path_* functions.
#include "wasi/abi.h"
#include "wasi/os_fs.h"

namespace halter::wasi::abi {
namespace {

// The directory entry at args[fd_arg] with `rights`, and the path at
// args[path_arg], args[path_arg + 1].
Errno dirAndPath(AbiCall &c, size_t fd_arg, Rights rights, size_t path_arg, FdEntry *&dir,
                 std::string_view &path) {
  if (Errno e = c.state.fds.get(c.u32(fd_arg), rights, dir); e != Errno::Success) return e;
  return c.memory.string(c.u32(path_arg), c.u32(path_arg + 1), path);
}

} // namespace

Errno pathCreateDirectory(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathCreateDirectory, 1, dir, path); e != Errno::Success)
    return e;
  return wasi::pathCreateDirectory(*dir, path);
}

Errno pathFilestatGet(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathFilestatGet, 2, dir, path); e != Errno::Success)
    return e;
  const uint32_t out = c.u32(4);
  if (!c.memory.inBounds(out, layout::kFilestatSize)) return Errno::Fault;
  Filestat f;
  if (Errno e = pathFilestat(*dir, c.u32(1), path, f); e != Errno::Success) return e;
  std::fill_n(c.memory.data() + out, layout::kFilestatSize, 0);
  c.memory.storeAt<uint64_t>(out + 0ull, f.dev);
  c.memory.storeAt<uint64_t>(out + 8ull, f.ino);
  c.memory.storeAt<uint8_t>(out + 16ull, f.filetype);
  c.memory.storeAt<uint64_t>(out + 24ull, f.nlink);
  c.memory.storeAt<uint64_t>(out + 32ull, f.size);
  c.memory.storeAt<uint64_t>(out + 40ull, f.atim);
  c.memory.storeAt<uint64_t>(out + 48ull, f.mtim);
  c.memory.storeAt<uint64_t>(out + 56ull, f.ctim);
  return Errno::Success;
}

Errno pathFilestatSetTimes(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathFilestatSetTimes, 2, dir, path); e != Errno::Success)
    return e;
  return pathSetTimes(*dir, c.u32(1), path, c.u64(4), c.u64(5), static_cast<uint16_t>(c.u32(6)),
                      c.state.clock);
}

Errno pathLink(AbiCall &c) {
  FdEntry *old_dir, *new_dir;
  std::string_view old_path, new_path;
  if (Errno e = dirAndPath(c, 0, right::kPathLinkSource, 2, old_dir, old_path); e != Errno::Success)
    return e;
  if (Errno e = dirAndPath(c, 4, right::kPathLinkTarget, 5, new_dir, new_path); e != Errno::Success)
    return e;
  return wasi::pathLink(*old_dir, c.u32(1), old_path, *new_dir, new_path);
}

Errno pathOpen(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathOpen, 2, dir, path); e != Errno::Success) return e;
  const uint32_t fd_out = c.u32(8);
  if (!c.memory.inBounds(fd_out, 4)) return Errno::Fault;
  std::unique_ptr<FdEntry> entry;
  if (Errno e = wasi::pathOpen(*dir, path, c.u32(1), static_cast<uint16_t>(c.u32(4)), c.u64(5),
                               c.u64(6), static_cast<uint16_t>(c.u32(7)), entry);
      e != Errno::Success)
    return e;
  // Its origin: the same path beneath the same preopen, for saveState.
  setOrigin(*entry, *dir, path, c.u32(1));
  uint32_t fd;
  if (Errno e = c.state.fds.insert(std::move(entry), fd); e != Errno::Success) return e;
  c.memory.storeAt<uint32_t>(fd_out, fd);
  return Errno::Success;
}

Errno pathReadlink(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathReadlink, 1, dir, path); e != Errno::Success) return e;
  std::span<uint8_t> buf;
  if (Errno e = c.memory.span(c.u32(3), c.u32(4), buf); e != Errno::Success) return e;
  const uint32_t used_ptr = c.u32(5);
  if (!c.memory.inBounds(used_ptr, 4)) return Errno::Fault;
  std::string target;
  if (Errno e = wasi::pathReadlink(*dir, path, target); e != Errno::Success) return e;
  // Like readlink(2): as much as fits, no terminating NUL.
  size_t n = std::min(target.size(), buf.size());
  std::copy_n(target.data(), n, buf.data());
  c.memory.storeAt<uint32_t>(used_ptr, static_cast<uint32_t>(n));
  return Errno::Success;
}

Errno pathRemoveDirectory(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathRemoveDirectory, 1, dir, path); e != Errno::Success)
    return e;
  return wasi::pathRemoveDirectory(*dir, path);
}

Errno pathRename(AbiCall &c) {
  FdEntry *old_dir, *new_dir;
  std::string_view old_path, new_path;
  if (Errno e = dirAndPath(c, 0, right::kPathRenameSource, 1, old_dir, old_path);
      e != Errno::Success)
    return e;
  if (Errno e = dirAndPath(c, 3, right::kPathRenameTarget, 4, new_dir, new_path);
      e != Errno::Success)
    return e;
  return wasi::pathRename(*old_dir, old_path, *new_dir, new_path);
}

Errno pathSymlink(AbiCall &c) {
  std::string_view target;
  if (Errno e = c.memory.string(c.u32(0), c.u32(1), target); e != Errno::Success) return e;
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 2, right::kPathSymlink, 3, dir, path); e != Errno::Success) return e;
  return wasi::pathSymlink(target, *dir, path);
}

Errno pathUnlinkFile(AbiCall &c) {
  FdEntry *dir;
  std::string_view path;
  if (Errno e = dirAndPath(c, 0, right::kPathUnlinkFile, 1, dir, path); e != Errno::Success)
    return e;
  return wasi::pathUnlinkFile(*dir, path);
}

} // namespace halter::wasi::abi
