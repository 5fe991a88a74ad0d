#include "wasi/os_io.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace halter::wasi {
namespace {

// Host iovec batches: at most this many per system call (well under IOV_MAX).
constexpr uint32_t kBatch = 64;
// Writes to a pipe or terminal go in pieces the kernel accepts without
// blocking once POLLOUT says so (PIPE_BUF).
constexpr size_t kStreamChunk = 4096;

Errno readMemory(MemoryStream &m, const IovecList &iovs, uint64_t &nread) {
  nread = 0;
  for (uint32_t i = 0; i < iovs.count() && m.read_pos < m.data.size(); ++i) {
    auto buf = iovs.at(i);
    size_t n = std::min(buf.size(), m.data.size() - m.read_pos);
    std::copy_n(m.data.data() + m.read_pos, n, buf.data());
    m.read_pos += n;
    nread += n;
  }
  return Errno::Success;
}

Errno writeMemory(MemoryStream &m, const IovecList &iovs, uint64_t &nwritten) {
  nwritten = 0;
  for (uint32_t i = 0; i < iovs.count(); ++i) {
    auto buf = iovs.at(i);
    uint64_t room = m.max_bytes > m.data.size() ? m.max_bytes - m.data.size() : 0;
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), room));
    m.data.append(reinterpret_cast<const char *>(buf.data()), n);
    nwritten += n;
    if (n < buf.size()) break;
  }
  if (nwritten == 0 && iovs.totalBytes() > 0) return Errno::NoSpc;
  return Errno::Success;
}

// Batched readv/preadv (or writev/pwritev) over the list, at most
// kMaxTransfer bytes a system call; stops at the first short transfer, and
// between calls once the execution is interrupted (a short transfer the
// guest may see), so a 2 GiB read of a regular file cannot outlive a
// deadline by more than one call.
template <bool kWrite>
Errno transferBatches(int fd, const CallContext &ctx, const IovecList &iovs, int64_t offset,
                      uint64_t &done) {
  constexpr uint64_t kMaxTransfer = 1 << 20;
  done = 0;
  iovec batch[kBatch];
  uint32_t i = 0; // the next byte to transfer: iovs.at(i)[pos]
  size_t pos = 0;
  while (i < iovs.count()) {
    if (done > 0 && ctx.interrupted()) break;
    uint32_t n = 0;
    uint64_t want = 0;
    while (i < iovs.count() && n < kBatch && want < kMaxTransfer) {
      auto buf = iovs.at(i);
      size_t len = static_cast<size_t>(std::min<uint64_t>(buf.size() - pos, kMaxTransfer - want));
      if (len != 0) batch[n++] = {buf.data() + pos, len};
      want += len;
      pos += len;
      if (pos == buf.size()) {
        ++i;
        pos = 0;
      }
    }
    if (n == 0) break;
    ssize_t r;
    do {
      if constexpr (kWrite)
        r = offset < 0 ? ::writev(fd, batch, static_cast<int>(n))
                       : ::pwritev(fd, batch, static_cast<int>(n),
                                   static_cast<off_t>(offset + static_cast<int64_t>(done)));
      else
        r = offset < 0 ? ::readv(fd, batch, static_cast<int>(n))
                       : ::preadv(fd, batch, static_cast<int>(n),
                                  static_cast<off_t>(offset + static_cast<int64_t>(done)));
    } while (r < 0 && errno == EINTR);
    if (r < 0) return done > 0 ? Errno::Success : errnoFromHost(errno);
    done += static_cast<uint64_t>(r);
    if (static_cast<uint64_t>(r) < want) break;
  }
  return Errno::Success;
}

bool nonblocking(const FdEntry &e) {
  return (e.fdflags & fdflag::kNonblock) != 0;
}

} // namespace

Errno waitForFd(const CallContext &ctx, int fd, short events) {
  for (;;) {
    if (ctx.interrupted()) return Errno::Intr;
    auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(kPollSlice);
    if (auto deadline = ctx.deadline()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) continue; // interrupted() now says so, and raises it
      slice = std::min(slice, left + std::chrono::milliseconds(1));
    }
    // The interrupt descriptor wakes the wait at once on cancel or deadline;
    // the slice only bounds it when there is none.
    pollfd p[2] = {{fd, events, 0}, {ctx.interruptFd(), POLLIN, 0}};
    int r = ::poll(p, p[1].fd >= 0 ? 2 : 1, static_cast<int>(slice.count()));
    if (r < 0 && errno != EINTR) return errnoFromHost(errno);
    if (p[0].revents != 0) return Errno::Success; // ready, or an error/hangup the next call reports
  }
}

Errno readv(FdEntry &entry, const CallContext &ctx, const IovecList &iovs, int64_t offset,
            uint64_t &nread) {
  nread = 0;
  switch (entry.kind) {
  case FdKind::Null:
    return Errno::Success;
  case FdKind::Memory:
    if (offset >= 0) return Errno::SPipe;
    return readMemory(*entry.memory, iovs, nread);
  case FdKind::Host:
    break;
  }
  if (entry.isDirectory()) return Errno::IsDir;
  if (iovs.totalBytes() == 0) return Errno::Success;
  if (entry.mayBlock()) {
    if (offset >= 0) return Errno::SPipe;
    if (nonblocking(entry)) {
      pollfd p{entry.host_fd, POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) return Errno::Again;
    } else if (Errno e = waitForFd(ctx, entry.host_fd, POLLIN); e != Errno::Success) {
      return e;
    }
  }
  return transferBatches<false>(entry.host_fd, ctx, iovs, offset, nread);
}

Errno writev(FdEntry &entry, const CallContext &ctx, const IovecList &iovs, int64_t offset,
             uint64_t &nwritten) {
  nwritten = 0;
  switch (entry.kind) {
  case FdKind::Null:
    nwritten = iovs.totalBytes();
    return Errno::Success;
  case FdKind::Memory:
    if (offset >= 0) return Errno::SPipe;
    return writeMemory(*entry.memory, iovs, nwritten);
  case FdKind::Host:
    break;
  }
  if (entry.isDirectory()) return Errno::IsDir;
  if (!entry.mayBlock()) return transferBatches<true>(entry.host_fd, ctx, iovs, offset, nwritten);
  if (offset >= 0) return Errno::SPipe;
  // Piece by piece, waiting for room each time, so the deadline can stop a
  // guest blocked on a full pipe.
  for (uint32_t i = 0; i < iovs.count(); ++i) {
    auto buf = iovs.at(i);
    size_t pos = 0;
    while (pos < buf.size()) {
      if (nonblocking(entry)) {
        pollfd p{entry.host_fd, POLLOUT, 0};
        if (::poll(&p, 1, 0) == 0) return nwritten > 0 ? Errno::Success : Errno::Again;
      } else if (Errno e = waitForFd(ctx, entry.host_fd, POLLOUT); e != Errno::Success) {
        return nwritten > 0 ? Errno::Success : e;
      }
      size_t n = std::min(kStreamChunk, buf.size() - pos);
      ssize_t r = ::write(entry.host_fd, buf.data() + pos, n);
      if (r < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return nwritten > 0 ? Errno::Success : errnoFromHost(errno);
      }
      pos += static_cast<size_t>(r);
      nwritten += static_cast<uint64_t>(r);
    }
  }
  return Errno::Success;
}

Errno seek(FdEntry &entry, int64_t delta, uint8_t whence, uint64_t &new_offset) {
  if (entry.kind != FdKind::Host || entry.mayBlock()) return Errno::SPipe;
  int how;
  switch (whence) {
  case kWhenceSet:
    how = SEEK_SET;
    break;
  case kWhenceCur:
    how = SEEK_CUR;
    break;
  case kWhenceEnd:
    how = SEEK_END;
    break;
  default:
    return Errno::Inval;
  }
  off_t r = ::lseek(entry.host_fd, static_cast<off_t>(delta), how);
  if (r < 0) return errnoFromHost(errno);
  new_offset = static_cast<uint64_t>(r);
  return Errno::Success;
}

bool readyNow(const FdEntry &entry, bool for_write, uint64_t &nbytes, bool &hangup) {
  nbytes = 0;
  hangup = false;
  switch (entry.kind) {
  case FdKind::Null:
    hangup = !for_write;
    return true;
  case FdKind::Memory: {
    const MemoryStream &m = *entry.memory;
    if (for_write) {
      nbytes = m.max_bytes > m.data.size() ? m.max_bytes - m.data.size() : 0;
    } else {
      nbytes = m.data.size() - m.read_pos;
      hangup = nbytes == 0;
    }
    return true;
  }
  case FdKind::Host:
    break;
  }
  if (!entry.mayBlock()) {
    if (!for_write && entry.filetype == filetype::kRegularFile) {
      struct stat st;
      off_t pos = ::lseek(entry.host_fd, 0, SEEK_CUR);
      if (fstat(entry.host_fd, &st) == 0 && pos >= 0 && st.st_size > pos)
        nbytes = static_cast<uint64_t>(st.st_size - pos);
    }
    return true;
  }
  pollfd p{entry.host_fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  hangup = (p.revents & POLLHUP) != 0;
  if (!for_write) {
    int avail = 0;
    if (ioctl(entry.host_fd, FIONREAD, &avail) == 0 && avail > 0)
      nbytes = static_cast<uint64_t>(avail);
  }
  return true;
}

} // namespace halter::wasi
