// ABI: fd_* functions.
#include "wasi/abi.h"
#include "wasi/os_fs.h"
#include "wasi/os_io.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace halter::wasi::abi {
namespace {

Errno storeFilestat(GuestMemory &mem, uint32_t ptr, const Filestat &f) {
  if (!mem.inBounds(ptr, layout::kFilestatSize)) return Errno::Fault;
  std::fill_n(mem.data() + ptr, layout::kFilestatSize, 0);
  mem.storeAt<uint64_t>(ptr + 0ull, f.dev);
  mem.storeAt<uint64_t>(ptr + 8ull, f.ino);
  mem.storeAt<uint8_t>(ptr + 16ull, f.filetype);
  mem.storeAt<uint64_t>(ptr + 24ull, f.nlink);
  mem.storeAt<uint64_t>(ptr + 32ull, f.size);
  mem.storeAt<uint64_t>(ptr + 40ull, f.atim);
  mem.storeAt<uint64_t>(ptr + 48ull, f.mtim);
  mem.storeAt<uint64_t>(ptr + 56ull, f.ctim);
  return Errno::Success;
}

// fd_read/fd_pread/fd_write/fd_pwrite share their checks.
Errno transfer(AbiCall &c, bool write, bool positional) {
  const uint32_t fd = c.u32(0), iovs_ptr = c.u32(1), iovs_len = c.u32(2);
  const uint32_t result_ptr = positional ? c.u32(4) : c.u32(3);
  int64_t offset = -1;
  Rights needed = write ? right::kFdWrite : right::kFdRead;
  if (positional) {
    uint64_t off = c.u64(3);
    if (off > static_cast<uint64_t>(INT64_MAX)) return Errno::Inval;
    offset = static_cast<int64_t>(off);
    needed |= right::kFdSeek;
  }
  FdEntry *entry;
  if (Errno e = c.state.fds.get(fd, needed, entry); e != Errno::Success) return e;
  if (!c.memory.inBounds(result_ptr, 4)) return Errno::Fault;
  IovecList iovs;
  if (Errno e = IovecList::check(c.memory, iovs_ptr, iovs_len, iovs); e != Errno::Success) return e;
  uint64_t done = 0;
  Errno e =
      write ? writev(*entry, c.ctx, iovs, offset, done) : readv(*entry, c.ctx, iovs, offset, done);
  if (e != Errno::Success) return e;
  // Guest memory cannot have moved (no guest code ran), but stay checked.
  return c.memory.store<uint32_t>(result_ptr, static_cast<uint32_t>(done));
}

Errno syncFd(AbiCall &c, Rights right, bool data_only) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right, entry); e != Errno::Success) return e;
  if (entry->kind != FdKind::Host) return Errno::Success;
  int r = data_only ? ::fdatasync(entry->host_fd) : ::fsync(entry->host_fd);
  if (r != 0 && errno != EINVAL && errno != EROFS) return errnoFromHost(errno);
  return Errno::Success;
}

// Streams answer ESPIPE, as lseek(2) does (programs probe seekability so),
// before the rights check that would say ENOTCAPABLE.
Errno seekableEntry(AbiCall &c, Rights rights, FdEntry *&entry) {
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  if (entry->kind != FdKind::Host || entry->mayBlock()) return Errno::SPipe;
  return c.state.fds.get(c.u32(0), rights, entry);
}

} // namespace

Errno fdAdvise(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdAdvise, entry); e != Errno::Success) return e;
  const uint64_t offset = c.u64(1), len = c.u64(2);
  const uint32_t advice = c.u32(3);
  if (advice > 5) return Errno::Inval;
  if (offset > static_cast<uint64_t>(INT64_MAX) || len > static_cast<uint64_t>(INT64_MAX))
    return Errno::Inval;
  if (entry->kind != FdKind::Host || entry->filetype != filetype::kRegularFile)
    return entry->isDirectory() ? Errno::BadF : Errno::SPipe;
  static constexpr int kHostAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                                        POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                                        POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  int r = posix_fadvise(entry->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len),
                        kHostAdvice[advice]);
  return r == 0 ? Errno::Success : errnoFromHost(r);
}

Errno fdAllocate(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdAllocate, entry); e != Errno::Success) return e;
  return wasi::fdAllocate(*entry, c.u64(1), c.u64(2));
}

Errno fdClose(AbiCall &c) {
  return c.state.fds.close(c.u32(0));
}
Errno fdDatasync(AbiCall &c) {
  return syncFd(c, right::kFdDatasync, true);
}
Errno fdSync(AbiCall &c) {
  return syncFd(c, right::kFdSync, false);
}

Errno fdFdstatGet(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  const uint32_t ptr = c.u32(1);
  if (!c.memory.inBounds(ptr, layout::kFdstatSize)) return Errno::Fault;
  std::fill_n(c.memory.data() + ptr, layout::kFdstatSize, 0);
  c.memory.storeAt<uint8_t>(ptr, entry->filetype);
  c.memory.storeAt<uint16_t>(ptr + 2ull, entry->fdflags);
  c.memory.storeAt<uint64_t>(ptr + 8ull, entry->base);
  c.memory.storeAt<uint64_t>(ptr + 16ull, entry->inheriting);
  return Errno::Success;
}

Errno fdFdstatSetFlags(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdFdstatSetFlags, entry); e != Errno::Success)
    return e;
  const uint32_t flags = c.u32(1);
  if (flags & ~0x1Fu) return Errno::Inval;
  // Only append and nonblock can change on an open Linux descriptor.
  if ((flags & (fdflag::kDsync | fdflag::kRsync | fdflag::kSync)) !=
      (entry->fdflags & (fdflag::kDsync | fdflag::kRsync | fdflag::kSync)))
    return Errno::NotSup;
  // Descriptors we own take append directly; nonblock is ours to honour
  // (the host's own stdio flags are never changed under the host).
  if (entry->kind == FdKind::Host && entry->owned.valid()) {
    int fl = ::fcntl(entry->host_fd, F_GETFL);
    if (fl < 0) return errnoFromHost(errno);
    fl = (flags & fdflag::kAppend) ? (fl | O_APPEND) : (fl & ~O_APPEND);
    if (::fcntl(entry->host_fd, F_SETFL, fl) != 0) return errnoFromHost(errno);
  } else if ((flags & fdflag::kAppend) != (entry->fdflags & fdflag::kAppend) &&
             entry->kind == FdKind::Host) {
    return Errno::NotSup;
  }
  entry->fdflags = static_cast<uint16_t>(flags);
  return Errno::Success;
}

Errno fdFdstatSetRights(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  const Rights base = c.u64(1), inheriting = c.u64(2);
  // Rights can only be dropped, never gained.
  if ((base & ~entry->base) || (inheriting & ~entry->inheriting)) return Errno::NotCapable;
  entry->base = base;
  entry->inheriting = inheriting;
  return Errno::Success;
}

Errno fdFilestatGet(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdFilestatGet, entry); e != Errno::Success)
    return e;
  if (!c.memory.inBounds(c.u32(1), layout::kFilestatSize)) return Errno::Fault;
  Filestat f;
  if (Errno e = fdFilestat(*entry, f); e != Errno::Success) return e;
  return storeFilestat(c.memory, c.u32(1), f);
}

Errno fdFilestatSetSize(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdFilestatSetSize, entry); e != Errno::Success)
    return e;
  return fdSetSize(*entry, c.u64(1));
}

Errno fdFilestatSetTimes(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdFilestatSetTimes, entry); e != Errno::Success)
    return e;
  return fdSetTimes(*entry, c.u64(1), c.u64(2), static_cast<uint16_t>(c.u32(3)), c.state.clock);
}

Errno fdPread(AbiCall &c) {
  return transfer(c, false, true);
}
Errno fdPwrite(AbiCall &c) {
  return transfer(c, true, true);
}
Errno fdRead(AbiCall &c) {
  return transfer(c, false, false);
}
Errno fdWrite(AbiCall &c) {
  return transfer(c, true, false);
}

Errno fdPrestatGet(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  if (!entry->is_preopen) return Errno::BadF;
  const uint32_t ptr = c.u32(1);
  if (!c.memory.inBounds(ptr, layout::kPrestatSize)) return Errno::Fault;
  std::fill_n(c.memory.data() + ptr, layout::kPrestatSize, 0);
  c.memory.storeAt<uint8_t>(ptr, kPreopenTypeDir);
  c.memory.storeAt<uint32_t>(ptr + 4ull, static_cast<uint32_t>(entry->preopen_name.size()));
  return Errno::Success;
}

Errno fdPrestatDirName(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  if (!entry->is_preopen) return Errno::BadF;
  std::span<uint8_t> buf;
  if (Errno e = c.memory.span(c.u32(1), c.u32(2), buf); e != Errno::Success) return e;
  if (buf.size() < entry->preopen_name.size()) return Errno::NameTooLong;
  std::copy(entry->preopen_name.begin(), entry->preopen_name.end(), buf.begin());
  return Errno::Success;
}

Errno fdReaddir(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = c.state.fds.get(c.u32(0), right::kFdReaddir, entry); e != Errno::Success) return e;
  if (entry->kind != FdKind::Host || !entry->isDirectory()) return Errno::NotDir;
  std::span<uint8_t> buf;
  if (Errno e = c.memory.span(c.u32(1), c.u32(2), buf); e != Errno::Success) return e;
  const uint64_t cookie = c.u64(3);
  const uint32_t used_ptr = c.u32(4);
  if (!c.memory.inBounds(used_ptr, 4)) return Errno::Fault;
  // Cookie 0 starts a fresh listing; later cookies page through the same
  // snapshot, so entries neither repeat nor vanish between calls.
  if (cookie == 0 || !entry->dir_snapshot_valid) {
    if (Errno e = readDirectory(entry->host_fd, entry->dir_snapshot); e != Errno::Success) return e;
    entry->dir_snapshot_valid = true;
  }
  const auto &list = entry->dir_snapshot;
  size_t used = 0;
  for (uint64_t i = cookie; i < list.size() && used < buf.size(); ++i) {
    const auto &d = list[i];
    uint8_t header[layout::kDirentSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(d.name.size());
    std::memcpy(header + 0, &next, 8);
    std::memcpy(header + 8, &d.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = d.type;
    // The last entry may be cut short: a full buffer tells the guest to
    // come back with a bigger one (that is how the ABI works).
    size_t n = std::min<size_t>(layout::kDirentSize, buf.size() - used);
    std::memcpy(buf.data() + used, header, n);
    used += n;
    n = std::min<size_t>(d.name.size(), buf.size() - used);
    std::memcpy(buf.data() + used, d.name.data(), n);
    used += n;
  }
  return c.memory.store<uint32_t>(used_ptr, static_cast<uint32_t>(used));
}

Errno fdRenumber(AbiCall &c) {
  return c.state.fds.renumber(c.u32(0), c.u32(1));
}

Errno fdSeek(AbiCall &c) {
  const int64_t delta = static_cast<int64_t>(c.u64(1));
  const uint32_t whence = c.u32(2);
  const Rights needed =
      (delta == 0 && whence == kWhenceCur) ? right::kFdTell : (right::kFdSeek | right::kFdTell);
  FdEntry *entry;
  if (Errno e = seekableEntry(c, needed, entry); e != Errno::Success) return e;
  if (whence > kWhenceEnd) return Errno::Inval;
  if (!c.memory.inBounds(c.u32(3), 8)) return Errno::Fault;
  uint64_t pos = 0;
  if (Errno e = seek(*entry, delta, static_cast<uint8_t>(whence), pos); e != Errno::Success)
    return e;
  return c.memory.store<uint64_t>(c.u32(3), pos);
}

Errno fdTell(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = seekableEntry(c, right::kFdTell, entry); e != Errno::Success) return e;
  if (!c.memory.inBounds(c.u32(1), 8)) return Errno::Fault;
  uint64_t pos = 0;
  if (Errno e = seek(*entry, 0, kWhenceCur, pos); e != Errno::Success) return e;
  return c.memory.store<uint64_t>(c.u32(1), pos);
}

} // namespace halter::wasi::abi
