#include "wasi/os_fs.h"

#include "wasi/path_resolution.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace halter::wasi {
namespace {

uint64_t toNs(const timespec &ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Errno hostError() {
  return errnoFromHost(errno);
}

Errno requireDirectory(const FdEntry &dir) {
  if (dir.kind != FdKind::Host || !dir.isDirectory()) return Errno::NotDir;
  return Errno::Success;
}

Errno requireWritable(const FdEntry &entry) {
  return entry.writable ? Errno::Success : Errno::RoFs;
}

// A last component "." or ".." must not reach the kernel as a name (".."
// of a preopen is outside it). If the path escapes, that is the answer;
// otherwise the operation's own answer for such a name.
Errno dotsAnswer(const FdEntry &dir, std::string_view path, Errno otherwise) {
  UniqueFd fd;
  Errno e = openBeneath(dir.host_fd, path, O_PATH, 0, fd);
  if (e == Errno::NotCapable) return e;
  return otherwise;
}

// Like resolveParent, but a final symlink is followed (each target again
// resolved beneath dir), so the result names the object itself.
Errno resolveFollowingFinal(const FdEntry &dir, std::string_view path, ParentAndName &out) {
  std::string current(path);
  for (int links = 0;; ++links) {
    out = ParentAndName{};
    if (Errno e = resolveParent(dir.host_fd, current, out); e != Errno::Success) return e;
    if (out.isDots()) return Errno::Success;
    struct stat st;
    if (fstatat(out.parent, out.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISLNK(st.st_mode))
      return Errno::Success; // not a link: the caller's own call reports what it is
    if (links >= 40) return Errno::Loop;
    std::string target(4096, '\0');
    ssize_t n = readlinkat(out.parent, out.name.c_str(), target.data(), target.size());
    if (n < 0) return hostError();
    target.resize(static_cast<size_t>(n));
    if (target.empty()) return Errno::NoEnt;
    if (target[0] == '/') return Errno::NotCapable;
    std::string_view trimmed(current);
    while (!trimmed.empty() && trimmed.back() == '/') trimmed.remove_suffix(1);
    size_t slash = trimmed.rfind('/');
    std::string prefix =
        slash == std::string_view::npos ? "" : std::string(trimmed.substr(0, slash + 1));
    current = prefix + target;
  }
}

Errno timesFrom(uint64_t atim, uint64_t mtim, uint16_t flags, WasiClock &clock, timespec out[2]) {
  if (((flags & fstflag::kAtim) && (flags & fstflag::kAtimNow)) ||
      ((flags & fstflag::kMtim) && (flags & fstflag::kMtimNow)) || (flags & ~0xFu))
    return Errno::Inval;
  auto set = [&](timespec &ts, bool given, bool now, uint64_t value) {
    if (now && clock.deterministic()) {
      uint64_t t = 0;
      (void)clock.now(clockid::kRealtime, t);
      value = t;
      given = true;
    }
    if (given) {
      ts.tv_sec = static_cast<time_t>(value / 1'000'000'000ull);
      ts.tv_nsec = static_cast<long>(value % 1'000'000'000ull);
    } else {
      ts.tv_sec = 0;
      ts.tv_nsec = now ? UTIME_NOW : UTIME_OMIT;
    }
  };
  set(out[0], flags & fstflag::kAtim, flags & fstflag::kAtimNow, atim);
  set(out[1], flags & fstflag::kMtim, flags & fstflag::kMtimNow, mtim);
  return Errno::Success;
}

} // namespace

uint8_t filetypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG:
    return filetype::kRegularFile;
  case S_IFDIR:
    return filetype::kDirectory;
  case S_IFLNK:
    return filetype::kSymbolicLink;
  case S_IFCHR:
    return filetype::kCharacterDevice;
  case S_IFBLK:
    return filetype::kBlockDevice;
  case S_IFSOCK:
    return filetype::kSocketStream;
  default:
    return filetype::kUnknown; // FIFOs have no WASI type
  }
}

Filestat filestatFrom(const struct stat &st) {
  Filestat f;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  f.filetype = filetypeFromMode(st.st_mode);
  f.nlink = st.st_nlink;
  f.size = static_cast<uint64_t>(st.st_size);
  f.atim = toNs(st.st_atim);
  f.mtim = toNs(st.st_mtim);
  f.ctim = toNs(st.st_ctim);
  return f;
}

Errno fdFilestat(const FdEntry &entry, Filestat &out) {
  if (entry.kind != FdKind::Host) {
    out = Filestat{};
    out.filetype = entry.filetype;
    if (entry.memory) out.size = entry.memory->data.size();
    return Errno::Success;
  }
  struct stat st;
  if (fstat(entry.host_fd, &st) != 0) return hostError();
  out = filestatFrom(st);
  return Errno::Success;
}

Errno fdSetSize(const FdEntry &entry, uint64_t size) {
  if (Errno e = requireWritable(entry); e != Errno::Success) return e;
  if (entry.kind != FdKind::Host || entry.filetype != filetype::kRegularFile) return Errno::Inval;
  if (size > static_cast<uint64_t>(INT64_MAX)) return Errno::FBig;
  if (ftruncate(entry.host_fd, static_cast<off_t>(size)) != 0) return hostError();
  return Errno::Success;
}

Errno fdSetTimes(const FdEntry &entry, uint64_t atim, uint64_t mtim, uint16_t fstflags,
                 WasiClock &clock) {
  if (Errno e = requireWritable(entry); e != Errno::Success) return e;
  if (entry.kind != FdKind::Host) return Errno::BadF;
  timespec ts[2];
  if (Errno e = timesFrom(atim, mtim, fstflags, clock, ts); e != Errno::Success) return e;
  if (futimens(entry.host_fd, ts) != 0) return hostError();
  return Errno::Success;
}

Errno fdAllocate(const FdEntry &entry, uint64_t offset, uint64_t len) {
  if (Errno e = requireWritable(entry); e != Errno::Success) return e;
  if (entry.kind != FdKind::Host || entry.filetype != filetype::kRegularFile) return Errno::BadF;
  if (offset > static_cast<uint64_t>(INT64_MAX) || len > static_cast<uint64_t>(INT64_MAX) - offset)
    return Errno::FBig;
  if (len == 0) return Errno::Inval;
  int r = posix_fallocate(entry.host_fd, static_cast<off_t>(offset), static_cast<off_t>(len));
  return r == 0 ? Errno::Success : errnoFromHost(r);
}

Errno readDirectory(int dirfd, std::vector<DirSnapshotEntry> &out) {
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return hostError();
  DIR *dir = fdopendir(fd);
  if (dir == nullptr) {
    Errno e = hostError();
    close(fd);
    return e;
  }
  out.clear();
  errno = 0;
  while (dirent *d = readdir(dir)) {
    DirSnapshotEntry e;
    e.name = d->d_name;
    e.ino = d->d_ino;
    switch (d->d_type) {
    case DT_REG:
      e.type = filetype::kRegularFile;
      break;
    case DT_DIR:
      e.type = filetype::kDirectory;
      break;
    case DT_LNK:
      e.type = filetype::kSymbolicLink;
      break;
    case DT_CHR:
      e.type = filetype::kCharacterDevice;
      break;
    case DT_BLK:
      e.type = filetype::kBlockDevice;
      break;
    case DT_SOCK:
      e.type = filetype::kSocketStream;
      break;
    case DT_UNKNOWN: {
      struct stat st;
      if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        e.type = filetypeFromMode(st.st_mode);
      break;
    }
    default:
      e.type = filetype::kUnknown;
      break;
    }
    out.push_back(std::move(e));
  }
  Errno result = errno != 0 ? hostError() : Errno::Success;
  closedir(dir);
  std::sort(out.begin(), out.end(),
            [](const DirSnapshotEntry &a, const DirSnapshotEntry &b) { return a.name < b.name; });
  return result;
}

Errno pathOpen(const FdEntry &dir, std::string_view path, uint32_t lookup, uint16_t oflags,
               Rights base, Rights inheriting, uint16_t fdflags, std::unique_ptr<FdEntry> &out) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (oflags & ~0xFu) return Errno::Inval;
  if (fdflags & ~0x1Fu) return Errno::Inval;
  Rights needed = right::kPathOpen;
  if (oflags & oflag::kCreat) needed |= right::kPathCreateFile;
  if (oflags & oflag::kTrunc) needed |= right::kPathFilestatSetSize;
  if ((dir.base & needed) != needed) return Errno::NotCapable;

  // A descriptor never gets more than its directory lets its children have.
  const Rights effective = base & dir.inheriting;
  const bool read = (effective & (right::kFdRead | right::kFdReaddir)) != 0;
  const bool write = (effective & right::kFdWrite) != 0;
  if ((write || (oflags & (oflag::kCreat | oflag::kTrunc))) && !dir.writable) return Errno::RoFs;

  // O_NONBLOCK while opening: a FIFO must not park the host thread in open().
  int flags = O_NOCTTY | O_NONBLOCK;
  flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & oflag::kCreat) flags |= O_CREAT;
  if (oflags & oflag::kDirectory) flags |= O_DIRECTORY;
  if (oflags & oflag::kExcl) flags |= O_EXCL;
  if (oflags & oflag::kTrunc) flags |= O_TRUNC;
  if (fdflags & fdflag::kAppend) flags |= O_APPEND;
  if (fdflags & fdflag::kDsync) flags |= O_DSYNC;
  if (fdflags & fdflag::kSync) flags |= O_SYNC;
  if (fdflags & fdflag::kRsync) flags |= O_RSYNC;
  if (!(lookup & kLookupSymlinkFollow)) flags |= O_NOFOLLOW;

  UniqueFd fd;
  if (Errno e = openBeneath(dir.host_fd, path, flags, 0666, fd); e != Errno::Success) return e;
  if (!(fdflags & fdflag::kNonblock)) {
    int fl = fcntl(fd.get(), F_GETFL);
    if (fl >= 0) (void)fcntl(fd.get(), F_SETFL, fl & ~O_NONBLOCK);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return hostError();

  auto entry = std::make_unique<FdEntry>();
  entry->kind = FdKind::Host;
  entry->filetype = filetypeFromMode(st.st_mode);
  entry->host_fd = fd.get();
  entry->owned = std::move(fd);
  const Rights type_rights = entry->isDirectory()                        ? right::kDirectory
                             : entry->filetype == filetype::kRegularFile ? right::kFile
                                                                         : right::kStream;
  entry->base = effective & type_rights;
  entry->inheriting = inheriting & dir.inheriting;
  entry->fdflags = fdflags;
  entry->writable = dir.writable;
  out = std::move(entry);
  return Errno::Success;
}

Errno pathFilestat(const FdEntry &dir, uint32_t lookup, std::string_view path, Filestat &out) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  int flags = O_PATH | ((lookup & kLookupSymlinkFollow) ? 0 : O_NOFOLLOW);
  UniqueFd fd;
  if (Errno e = openBeneath(dir.host_fd, path, flags, 0, fd); e != Errno::Success) return e;
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return hostError();
  out = filestatFrom(st);
  return Errno::Success;
}

Errno pathSetTimes(const FdEntry &dir, uint32_t lookup, std::string_view path, uint64_t atim,
                   uint64_t mtim, uint16_t fstflags, WasiClock &clock) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(dir); e != Errno::Success) return e;
  timespec ts[2];
  if (Errno e = timesFrom(atim, mtim, fstflags, clock, ts); e != Errno::Success) return e;
  ParentAndName pn;
  Errno e = (lookup & kLookupSymlinkFollow) ? resolveFollowingFinal(dir, path, pn)
                                            : resolveParent(dir.host_fd, path, pn);
  if (e != Errno::Success) return e;
  if (pn.isDots()) {
    // By descriptor: ".." must not reach the kernel as a name.
    UniqueFd fd;
    e = openBeneath(dir.host_fd, path, O_RDONLY | O_DIRECTORY, 0, fd);
    if (e != Errno::Success) return e;
    if (futimens(fd.get(), ts) != 0) return hostError();
    return Errno::Success;
  }
  if (utimensat(pn.parent, pn.name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0) return hostError();
  return Errno::Success;
}

Errno pathCreateDirectory(const FdEntry &dir, std::string_view path) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(dir); e != Errno::Success) return e;
  ParentAndName pn;
  if (Errno e = resolveParent(dir.host_fd, path, pn); e != Errno::Success) return e;
  if (pn.isDots()) return dotsAnswer(dir, path, Errno::Exist);
  if (mkdirat(pn.parent, pn.name.c_str(), 0777) != 0) return hostError();
  return Errno::Success;
}

Errno pathRemoveDirectory(const FdEntry &dir, std::string_view path) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(dir); e != Errno::Success) return e;
  ParentAndName pn;
  if (Errno e = resolveParent(dir.host_fd, path, pn); e != Errno::Success) return e;
  if (pn.isDots()) return dotsAnswer(dir, path, pn.name == "." ? Errno::Inval : Errno::NotEmpty);
  if (unlinkat(pn.parent, pn.name.c_str(), AT_REMOVEDIR) != 0) return hostError();
  return Errno::Success;
}

Errno pathUnlinkFile(const FdEntry &dir, std::string_view path) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(dir); e != Errno::Success) return e;
  ParentAndName pn;
  if (Errno e = resolveParent(dir.host_fd, path, pn); e != Errno::Success) return e;
  if (pn.isDots()) return dotsAnswer(dir, path, Errno::IsDir);
  if (pn.trailing_slash) {
    struct stat st;
    if (fstatat(pn.parent, pn.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return hostError();
    return S_ISDIR(st.st_mode) ? Errno::IsDir : Errno::NotDir;
  }
  if (unlinkat(pn.parent, pn.name.c_str(), 0) != 0) return hostError();
  return Errno::Success;
}

Errno pathRename(const FdEntry &old_dir, std::string_view old_path, const FdEntry &new_dir,
                 std::string_view new_path) {
  if (Errno e = requireDirectory(old_dir); e != Errno::Success) return e;
  if (Errno e = requireDirectory(new_dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(old_dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(new_dir); e != Errno::Success) return e;
  ParentAndName from, to;
  if (Errno e = resolveParent(old_dir.host_fd, old_path, from); e != Errno::Success) return e;
  if (Errno e = resolveParent(new_dir.host_fd, new_path, to); e != Errno::Success) return e;
  if (from.isDots()) return dotsAnswer(old_dir, old_path, Errno::Busy);
  if (to.isDots()) return dotsAnswer(new_dir, new_path, Errno::Busy);
  if (from.trailing_slash || to.trailing_slash) {
    struct stat st;
    if (fstatat(from.parent, from.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return hostError();
    if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
  }
  if (renameat(from.parent, from.name.c_str(), to.parent, to.name.c_str()) != 0) return hostError();
  return Errno::Success;
}

Errno pathSymlink(std::string_view target, const FdEntry &dir, std::string_view path) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(dir); e != Errno::Success) return e;
  if (target.empty()) return Errno::NoEnt;
  // A link to an absolute path could never be followed here; say so now.
  if (target[0] == '/') return Errno::NotCapable;
  ParentAndName pn;
  if (Errno e = resolveParent(dir.host_fd, path, pn); e != Errno::Success) return e;
  if (pn.isDots()) return dotsAnswer(dir, path, Errno::Exist);
  if (symlinkat(std::string(target).c_str(), pn.parent, pn.name.c_str()) != 0) return hostError();
  return Errno::Success;
}

Errno pathLink(const FdEntry &old_dir, uint32_t lookup, std::string_view old_path,
               const FdEntry &new_dir, std::string_view new_path) {
  if (Errno e = requireDirectory(old_dir); e != Errno::Success) return e;
  if (Errno e = requireDirectory(new_dir); e != Errno::Success) return e;
  // A hard link is a second way to write the same file: both sides must be writable.
  if (Errno e = requireWritable(old_dir); e != Errno::Success) return e;
  if (Errno e = requireWritable(new_dir); e != Errno::Success) return e;
  ParentAndName to;
  if (Errno e = resolveParent(new_dir.host_fd, new_path, to); e != Errno::Success) return e;
  if (to.isDots()) return dotsAnswer(new_dir, new_path, Errno::Exist);
  ParentAndName from;
  Errno e = (lookup & kLookupSymlinkFollow) ? resolveFollowingFinal(old_dir, old_path, from)
                                            : resolveParent(old_dir.host_fd, old_path, from);
  if (e != Errno::Success) return e;
  if (from.isDots()) return dotsAnswer(old_dir, old_path, Errno::Perm);
  if (linkat(from.parent, from.name.c_str(), to.parent, to.name.c_str(), 0) != 0)
    return hostError();
  return Errno::Success;
}

Errno pathReadlink(const FdEntry &dir, std::string_view path, std::string &out) {
  if (Errno e = requireDirectory(dir); e != Errno::Success) return e;
  ParentAndName pn;
  if (Errno e = resolveParent(dir.host_fd, path, pn); e != Errno::Success) return e;
  if (pn.isDots()) return dotsAnswer(dir, path, Errno::Inval);
  std::string buf(4096, '\0');
  ssize_t n = readlinkat(pn.parent, pn.name.c_str(), buf.data(), buf.size());
  if (n < 0) return hostError();
  out.assign(buf.data(), static_cast<size_t>(n));
  return Errno::Success;
}

} // namespace halter::wasi
