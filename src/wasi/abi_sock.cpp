// ABI: sock_* on granted sockets (WasiConfig::sockets and connections
// accepted from them). Any other descriptor answers ENOTSUP, none EBADF.
#include "wasi/abi.h"
#include "wasi/os_io.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>

namespace halter::wasi::abi {
namespace {

Errno socketEntry(AbiCall &c, Rights rights, FdEntry *&entry) {
  if (Errno e = c.state.fds.get(c.u32(0), 0, entry); e != Errno::Success) return e;
  if (!entry->is_socket) return Errno::NotSup;
  return c.state.fds.get(c.u32(0), rights, entry);
}

// Waits for the socket unless the guest asked for nonblocking behaviour.
Errno awaitSocket(AbiCall &c, const FdEntry &entry, short events) {
  if (entry.fdflags & fdflag::kNonblock) {
    pollfd p{entry.host_fd, events, 0};
    return ::poll(&p, 1, 0) > 0 ? Errno::Success : Errno::Again;
  }
  return waitForFd(c.ctx, entry.host_fd, events);
}

// Host msghdr batches over a checked iovec list (first kMax buffers; a
// socket call moves what it can and reports the count).
constexpr uint32_t kMax = 64;
uint32_t gather(const IovecList &iovs, iovec *out) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < iovs.count() && n < kMax; ++i) {
    auto b = iovs.at(i);
    if (!b.empty()) out[n++] = {b.data(), b.size()};
  }
  return n;
}

} // namespace

Errno sockAccept(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = socketEntry(c, right::kSockAccept, entry); e != Errno::Success) return e;
  const uint32_t flags = c.u32(1);
  if (flags & ~uint32_t{fdflag::kNonblock}) return Errno::Inval;
  if (!c.memory.inBounds(c.u32(2), 4)) return Errno::Fault;
  if (Errno e = awaitSocket(c, *entry, POLLIN); e != Errno::Success) return e;
  int fd = ::accept4(entry->host_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return errnoFromHost(errno);
  auto conn = std::make_unique<FdEntry>();
  conn->kind = FdKind::Host;
  conn->filetype = filetype::kSocketStream;
  conn->owned.reset(fd);
  conn->host_fd = fd;
  conn->is_socket = true;
  conn->base = right::kSocket & ~right::kSockAccept;
  conn->fdflags = static_cast<uint16_t>(flags);
  uint32_t number;
  if (Errno e = c.state.fds.insert(std::move(conn), number); e != Errno::Success) return e;
  c.memory.storeAt<uint32_t>(c.u32(2), number);
  return Errno::Success;
}

Errno sockRecv(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = socketEntry(c, right::kFdRead, entry); e != Errno::Success) return e;
  const uint32_t ri_flags = c.u32(3);
  if (ri_flags & ~uint32_t{kRecvPeek | kRecvWaitall}) return Errno::Inval;
  if (!c.memory.inBounds(c.u32(4), 4) || !c.memory.inBounds(c.u32(5), 2)) return Errno::Fault;
  IovecList iovs;
  if (Errno e = IovecList::check(c.memory, c.u32(1), c.u32(2), iovs); e != Errno::Success) return e;
  iovec batch[kMax];
  msghdr msg{};
  msg.msg_iov = batch;
  msg.msg_iovlen = gather(iovs, batch);
  if (Errno e = awaitSocket(c, *entry, POLLIN); e != Errno::Success) return e;
  // Never MSG_WAITALL on the host: it could block past the deadline. A
  // short read is allowed by the ABI; the guest loops.
  ssize_t r =
      ::recvmsg(entry->host_fd, &msg, MSG_DONTWAIT | ((ri_flags & kRecvPeek) ? MSG_PEEK : 0));
  if (r < 0) return errnoFromHost(errno);
  c.memory.storeAt<uint32_t>(c.u32(4), static_cast<uint32_t>(r));
  c.memory.storeAt<uint16_t>(c.u32(5), (msg.msg_flags & MSG_TRUNC) ? kRecvDataTruncated : 0);
  return Errno::Success;
}

Errno sockSend(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = socketEntry(c, right::kFdWrite, entry); e != Errno::Success) return e;
  if (c.u32(3) != 0) return Errno::Inval;
  if (!c.memory.inBounds(c.u32(4), 4)) return Errno::Fault;
  IovecList iovs;
  if (Errno e = IovecList::check(c.memory, c.u32(1), c.u32(2), iovs); e != Errno::Success) return e;
  iovec batch[kMax];
  msghdr msg{};
  msg.msg_iov = batch;
  msg.msg_iovlen = gather(iovs, batch);
  if (Errno e = awaitSocket(c, *entry, POLLOUT); e != Errno::Success) return e;
  ssize_t r = ::sendmsg(entry->host_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (r < 0) return errnoFromHost(errno);
  c.memory.storeAt<uint32_t>(c.u32(4), static_cast<uint32_t>(r));
  return Errno::Success;
}

Errno sockShutdown(AbiCall &c) {
  FdEntry *entry;
  if (Errno e = socketEntry(c, right::kSockShutdown, entry); e != Errno::Success) return e;
  const uint32_t how = c.u32(1);
  int host;
  switch (how) {
  case kShutRd:
    host = SHUT_RD;
    break;
  case kShutWr:
    host = SHUT_WR;
    break;
  case kShutRd | kShutWr:
    host = SHUT_RDWR;
    break;
  default:
    return Errno::Inval;
  }
  if (::shutdown(entry->host_fd, host) != 0) return errnoFromHost(errno);
  return Errno::Success;
}

} // namespace halter::wasi::abi
