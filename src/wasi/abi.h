// The ABI layer: one function per wasi_snapshot_preview1 import. Each reads
// its arguments, checks every guest pointer and length, calls the OS layer
// and answers an errno. None trusts the guest.
#pragma once

#include "wasi/state.h"

namespace halter::wasi {

// X(import name, C++ name, parameter types: 'i' i32, 'I' i64). Every one
// returns an i32 errno; proc_exit (no result) is defined apart.
#define HALTER_WASI_FUNCTIONS(X)                                                                   \
  X(args_get, argsGet, "ii")                                                                       \
  X(args_sizes_get, argsSizesGet, "ii")                                                            \
  X(environ_get, environGet, "ii")                                                                 \
  X(environ_sizes_get, environSizesGet, "ii")                                                      \
  X(clock_res_get, clockResGet, "ii")                                                              \
  X(clock_time_get, clockTimeGet, "iIi")                                                           \
  X(fd_advise, fdAdvise, "iIIi")                                                                   \
  X(fd_allocate, fdAllocate, "iII")                                                                \
  X(fd_close, fdClose, "i")                                                                        \
  X(fd_datasync, fdDatasync, "i")                                                                  \
  X(fd_fdstat_get, fdFdstatGet, "ii")                                                              \
  X(fd_fdstat_set_flags, fdFdstatSetFlags, "ii")                                                   \
  X(fd_fdstat_set_rights, fdFdstatSetRights, "iII")                                                \
  X(fd_filestat_get, fdFilestatGet, "ii")                                                          \
  X(fd_filestat_set_size, fdFilestatSetSize, "iI")                                                 \
  X(fd_filestat_set_times, fdFilestatSetTimes, "iIIi")                                             \
  X(fd_pread, fdPread, "iiiIi")                                                                    \
  X(fd_prestat_get, fdPrestatGet, "ii")                                                            \
  X(fd_prestat_dir_name, fdPrestatDirName, "iii")                                                  \
  X(fd_pwrite, fdPwrite, "iiiIi")                                                                  \
  X(fd_read, fdRead, "iiii")                                                                       \
  X(fd_readdir, fdReaddir, "iiiIi")                                                                \
  X(fd_renumber, fdRenumber, "ii")                                                                 \
  X(fd_seek, fdSeek, "iIii")                                                                       \
  X(fd_sync, fdSync, "i")                                                                          \
  X(fd_tell, fdTell, "ii")                                                                         \
  X(fd_write, fdWrite, "iiii")                                                                     \
  X(path_create_directory, pathCreateDirectory, "iii")                                             \
  X(path_filestat_get, pathFilestatGet, "iiiii")                                                   \
  X(path_filestat_set_times, pathFilestatSetTimes, "iiiiIIi")                                      \
  X(path_link, pathLink, "iiiiiii")                                                                \
  X(path_open, pathOpen, "iiiiiIIii")                                                              \
  X(path_readlink, pathReadlink, "iiiiii")                                                         \
  X(path_remove_directory, pathRemoveDirectory, "iii")                                             \
  X(path_rename, pathRename, "iiiiii")                                                             \
  X(path_symlink, pathSymlink, "iiiii")                                                            \
  X(path_unlink_file, pathUnlinkFile, "iii")                                                       \
  X(poll_oneoff, pollOneoff, "iiii")                                                               \
  X(proc_raise, procRaise, "i")                                                                    \
  X(sched_yield, schedYield, "")                                                                   \
  X(random_get, randomGet, "ii")                                                                   \
  X(sock_accept, sockAccept, "iii")                                                                \
  X(sock_recv, sockRecv, "iiiiii")                                                                 \
  X(sock_send, sockSend, "iiiii")                                                                  \
  X(sock_shutdown, sockShutdown, "ii")

namespace abi {
#define HALTER_WASI_DECLARE(import_name, fn, sig) Errno fn(AbiCall &call);
HALTER_WASI_FUNCTIONS(HALTER_WASI_DECLARE)
#undef HALTER_WASI_DECLARE
} // namespace abi

} // namespace halter::wasi
