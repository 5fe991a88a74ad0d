// OS layer: reading, writing and waiting on descriptors. Waits on terminals,
// pipes and sockets honour the caller's deadline and cancellation.
#pragma once

#include "halter/halter.h"
#include "wasi/fd_table.h"
#include "wasi/guest_memory.h"

#include <cstdint>

namespace halter::wasi {

// Poll slices: how late a wait on a host descriptor notices an interruption
// (the engine cannot wake poll(2)).
inline constexpr auto kPollSlice = std::chrono::milliseconds(10);

// Waits until `fd` is ready for `events` (POLLIN/POLLOUT). Intr when the
// execution was interrupted or its deadline passed first.
Errno waitForFd(const CallContext &ctx, int fd, short events);

// offset < 0: at the current position (fd_read/fd_write), else positional.
Errno readv(FdEntry &entry, const CallContext &ctx, const IovecList &iovs, int64_t offset,
            uint64_t &nread);
Errno writev(FdEntry &entry, const CallContext &ctx, const IovecList &iovs, int64_t offset,
             uint64_t &nwritten);
Errno seek(FdEntry &entry, int64_t delta, uint8_t whence, uint64_t &new_offset);
// Bytes readable now without blocking (for poll_oneoff), or whether a wait is needed.
bool readyNow(const FdEntry &entry, bool for_write, uint64_t &nbytes, bool &hangup);

} // namespace halter::wasi
