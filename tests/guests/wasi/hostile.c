// hostile: calls WASI directly with pointers and lengths no honest program
// passes, and prints each answer. The host must answer, never crash.
#include "guest_util.h"

#include <stdint.h>
#include <string.h>
#include <wasi/api.h>

#define SHOW(name, call) printf("%s: %s\n", name, errnoName(call))

// The import itself, for exact path lengths (wasi-libc's wrapper uses strlen).
int32_t rawPathOpen(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t oflags,
                    int64_t base, int64_t inheriting, int32_t fdflags, int32_t out)
    __attribute__((__import_module__("wasi_snapshot_preview1"), __import_name__("path_open")));

static uint32_t memoryBytes(void) {
  return (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
}

static __wasi_ciovec_t many[300];

int main(void) {
  __wasi_size_t n = 0;
  const uint32_t top = memoryBytes();

  // iovec arrays and buffers outside memory, and lengths that wrap 32 bits.
  SHOW("write iovs past end", __wasi_fd_write(1, (const __wasi_ciovec_t *)(top - 4), 1, &n));
  SHOW("write iovs at 4G-8", __wasi_fd_write(1, (const __wasi_ciovec_t *)0xFFFFFFF8u, 1, &n));
  __wasi_ciovec_t bad = {(const uint8_t *)(top - 8), 16};
  SHOW("write buf past end", __wasi_fd_write(1, &bad, 1, &n));
  __wasi_ciovec_t wrap = {(const uint8_t *)0xFFFFFFF0u, 0x20};
  SHOW("write buf wraps", __wasi_fd_write(1, &wrap, 1, &n));
  SHOW("write count huge", __wasi_fd_write(1, many, 0x7FFFFFFF, &n));
  __wasi_ciovec_t ok = {(const uint8_t *)"x", 1};
  SHOW("write nwritten past end", __wasi_fd_write(1, &ok, 1, (__wasi_size_t *)(top - 2)));

  // Lengths adding up past 4 GiB, each buffer in bounds.
  __builtin_wasm_memory_grow(0, 256); // 16 MiB more
  const uint32_t size = memoryBytes();
  for (int i = 0; i < 300; ++i) many[i] = (__wasi_ciovec_t){(const uint8_t *)0, size};
  SHOW("write total over 4G", __wasi_fd_write(1, many, 300, &n));

  SHOW("read unknown fd", __wasi_fd_read(99, (const __wasi_iovec_t *)&ok, 1, &n));
  SHOW("args_get argv past end", __wasi_args_get((uint8_t **)(size - 2), (uint8_t *)16));
  SHOW("args_sizes_get past end", __wasi_args_sizes_get((__wasi_size_t *)0xFFFFFFFFu, &n));
  SHOW("random past end", __wasi_random_get((uint8_t *)(size - 4), 8));
  SHOW("random zero at end", __wasi_random_get((uint8_t *)size, 0));
  __wasi_timestamp_t t;
  SHOW("clock bad id", __wasi_clock_time_get(99, 0, &t));
  SHOW("clock out past end", __wasi_clock_time_get(0, 0, (__wasi_timestamp_t *)(size - 4)));

  // Paths: out of bounds, with a NUL inside.
  __wasi_fd_t fd;
  SHOW("open path past end", rawPathOpen(3, 0, (int32_t)(size - 3), 8, 0, 0, 0, 0, (int32_t)&fd));
  SHOW("open path len wraps",
       rawPathOpen(3, 0, (int32_t) "abc", (int32_t)0xFFFFFFFFu, 0, 0, 0, 0, (int32_t)&fd));
  SHOW("open path with NUL",
       rawPathOpen(3, 0, (int32_t) "a\0b", 3, 0, __WASI_RIGHTS_FD_READ, 0, 0, (int32_t)&fd));
  SHOW("open fd out past end",
       rawPathOpen(3, 0, (int32_t) ".", 1, 0, __WASI_RIGHTS_FD_READ, 0, 0, (int32_t)(size - 2)));
  SHOW("stat buf past end", __wasi_path_filestat_get(3, 0, ".", (__wasi_filestat_t *)(size - 8)));
  SHOW("fdstat past end", __wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)(size - 1)));
  char name[1];
  SHOW("prestat name too small", __wasi_fd_prestat_dir_name(3, (uint8_t *)name, 1));
  SHOW("prestat of stdout", __wasi_fd_prestat_get(1, (__wasi_prestat_t *)name));

  // poll_oneoff: no subscriptions, subscriptions or events out of bounds.
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  __wasi_event_t ev;
  SHOW("poll zero subs", __wasi_poll_oneoff(&sub, &ev, 0, &n));
  SHOW("poll subs past end",
       __wasi_poll_oneoff((const __wasi_subscription_t *)(size - 8), &ev, 1, &n));
  SHOW("poll events past end", __wasi_poll_oneoff(&sub, (__wasi_event_t *)(size - 8), 1, &n));
  sub.u.tag = 7;
  SHOW("poll bad tag", __wasi_poll_oneoff(&sub, &ev, 1, &n));

  // Sockets: none granted.
  SHOW("accept on stdin", __wasi_sock_accept(0, 0, &fd));
  SHOW("accept on unknown fd", __wasi_sock_accept(99, 0, &fd));
  SHOW("seek on stdout", __wasi_fd_seek(1, 0, __WASI_WHENCE_SET, &t));
  SHOW("renumber unknown", __wasi_fd_renumber(99, 1));
  SHOW("set rights gain", __wasi_fd_fdstat_set_rights(1, ~(__wasi_rights_t)0, 0));
  printf("done\n");
  return 0;
}
