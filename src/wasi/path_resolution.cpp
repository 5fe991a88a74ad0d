#include "wasi/path_resolution.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace halter::wasi {
namespace {

enum : int { kProbeUnknown = 0, kProbeYes = 1, kProbeNo = 2 };
std::atomic<int> g_openat2{kProbeUnknown};
std::atomic<bool> g_force_walk{false};
// As Linux: more symlinks than this in one resolution is a loop.
constexpr int kMaxSymlinks = 40;

// Returns false when the kernel lacks openat2 (ENOSYS): the caller walks.
bool openWithOpenat2(int dirfd, const std::string &path, int flags, mode_t mode, UniqueFd &out,
                     Errno &err) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  // O_TMPFILE includes O_DIRECTORY's bit: test it whole. A mode without
  // O_CREAT or O_TMPFILE is EINVAL for openat2.
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    long fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    if (fd >= 0) {
      out.reset(static_cast<int>(fd));
      err = Errno::Success;
      return true;
    }
    int e = errno;
    if (e == ENOSYS) return false;
    // EAGAIN: a concurrent rename or mount made the kernel unsure; retrying is its advice.
    if ((e == EAGAIN && attempt < 32) || e == EINTR) continue;
    // EXDEV: the resolution would have left dirfd.
    err = e == EXDEV ? Errno::NotCapable : errnoFromHost(e);
    return true;
  }
}

// Pushes the components of `path` so that the first one is on top; a
// trailing '/' becomes a final "." (the name must then be a directory).
void pushComponents(std::vector<std::string> &pending, std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.back() == '/') parts.push_back(".");
  size_t end = path.size();
  while (end > 0) {
    size_t slash = path.rfind('/', end - 1);
    size_t start = slash == std::string_view::npos ? 0 : slash + 1;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    end = slash;
  }
  for (auto p : parts) pending.emplace_back(p);
}

Errno readLink(int dirfd, const std::string &name, std::string &target) {
  std::string buf(4096, '\0');
  ssize_t n = readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
  if (n < 0) return errnoFromHost(errno);
  if (static_cast<size_t>(n) == buf.size()) return Errno::NameTooLong;
  target.assign(buf.data(), static_cast<size_t>(n));
  return Errno::Success;
}

// The fallback: every component is opened with O_NOFOLLOW relative to the
// descriptor of the one before, ".." pops our own stack of descriptors (never
// the kernel's ".."), and symlinks are read and spliced in by us, so no step
// can leave dirfd however the tree changes meanwhile.
Errno openByWalk(int dirfd, std::string_view path, int flags, mode_t mode, UniqueFd &out) {
  const bool follow_final = (flags & O_NOFOLLOW) == 0;
  std::vector<std::string> pending;
  pushComponents(pending, path);
  if (pending.empty()) return Errno::NoEnt;
  std::vector<UniqueFd> stack;
  auto cur = [&] { return stack.empty() ? dirfd : stack.back().get(); };
  int links = 0;
  while (!pending.empty()) {
    std::string comp = std::move(pending.back());
    pending.pop_back();
    const bool last = pending.empty();
    if (comp == "..") {
      if (stack.empty()) return Errno::NotCapable;
      stack.pop_back();
      comp = ".";
    }
    if (comp == ".") {
      if (!last) continue;
      int fd = openat(cur(), ".", flags | O_CLOEXEC, mode);
      if (fd < 0) return errnoFromHost(errno);
      out.reset(fd);
      return Errno::Success;
    }
    struct stat st;
    const bool exists = fstatat(cur(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && (!last || errno != ENOENT)) return errnoFromHost(errno);
    if (exists && S_ISLNK(st.st_mode) && (!last || follow_final)) {
      if (++links > kMaxSymlinks) return Errno::Loop;
      std::string target;
      if (Errno e = readLink(cur(), comp, target); e != Errno::Success) return e;
      if (target.empty()) return Errno::NoEnt;
      if (target[0] == '/') return Errno::NotCapable;
      pushComponents(pending, target);
      continue;
    }
    if (!last) {
      if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
      int fd = openat(cur(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return errnoFromHost(errno);
      stack.emplace_back(fd);
      continue;
    }
    // O_NOFOLLOW even when following: a symlink swapped in since the fstatat
    // fails (ELOOP) or is opened as itself (O_PATH), never followed.
    int fd = openat(cur(), comp.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return errnoFromHost(errno);
    out.reset(fd);
    return Errno::Success;
  }
  return Errno::NoEnt;
}

} // namespace

bool kernelResolvesBeneath() {
  int state = g_openat2.load(std::memory_order_relaxed);
  if (state == kProbeUnknown) {
    // Opening "." cannot legitimately fail: any failure means no usable
    // openat2 (ENOSYS, or EPERM from a seccomp filter that predates it).
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    long fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
    if (fd >= 0) ::close(static_cast<int>(fd));
    state = fd >= 0 ? kProbeYes : kProbeNo;
    g_openat2.store(state, std::memory_order_relaxed);
  }
  return state == kProbeYes;
}

void forcePathWalkForTesting(bool force) {
  g_force_walk.store(force);
}

Errno openBeneath(int dirfd, std::string_view path, int flags, mode_t mode, UniqueFd &out) {
  if (path.empty()) return Errno::NoEnt;
  if (path[0] == '/') return Errno::NotCapable;
  if (!g_force_walk.load(std::memory_order_relaxed) && kernelResolvesBeneath()) {
    Errno err;
    if (openWithOpenat2(dirfd, std::string(path), flags, mode, out, err)) return err;
    g_openat2.store(kProbeNo, std::memory_order_relaxed);
  }
  return openByWalk(dirfd, path, flags, mode, out);
}

Errno resolveParent(int dirfd, std::string_view path, ParentAndName &out) {
  if (path.empty()) return Errno::NoEnt;
  if (path[0] == '/') return Errno::NotCapable;
  size_t end = path.size();
  while (end > 0 && path[end - 1] == '/') --end;
  out.trailing_slash = end < path.size();
  std::string_view trimmed = path.substr(0, end);
  size_t slash = trimmed.rfind('/');
  if (slash == std::string_view::npos) {
    out.parent = dirfd;
    out.name = std::string(trimmed);
    return Errno::Success;
  }
  out.name = std::string(trimmed.substr(slash + 1));
  Errno e = openBeneath(dirfd, trimmed.substr(0, slash + 1), O_PATH | O_DIRECTORY, 0, out.owned);
  if (e != Errno::Success) return e;
  out.parent = out.owned.get();
  return Errno::Success;
}

} // namespace halter::wasi
