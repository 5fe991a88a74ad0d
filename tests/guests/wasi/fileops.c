// fileops DIR: exercises positioned I/O, seeking, sizes, times, allocation,
// advice, flags and syncing on a file in DIR, printing what it sees.
#include "guest_util.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#define CHECK(what, expr) printf("%s: %s\n", what, (expr) ? "ok" : errnoName(errno))

int main(int argc, char **argv) {
  if (argc < 2 || chdir(argv[1]) != 0) return 2;
  int fd = open("f.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK("open", fd >= 0);
  CHECK("pwrite", pwrite(fd, "0123456789", 10, 0) == 10);
  CHECK("pwrite at 20", pwrite(fd, "XY", 2, 20) == 2);
  char buf[32] = {0};
  CHECK("pread", pread(fd, buf, 4, 3) == 4 && memcmp(buf, "3456", 4) == 0);
  printf("tell after p-ops: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("seek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  printf("seek cur -5: %lld\n", (long long)lseek(fd, -5, SEEK_CUR));
  CHECK("seek negative", lseek(fd, -100, SEEK_SET) < 0);
  CHECK("ftruncate", ftruncate(fd, 5) == 0);
  struct stat st;
  CHECK("fstat", fstat(fd, &st) == 0);
  printf("size: %lld\n", (long long)st.st_size);
  struct timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
  CHECK("futimens", futimens(fd, times) == 0);
  CHECK("stat", stat("f.bin", &st) == 0);
  printf("mtime: %lld.%09ld atime: %lld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
         (long long)st.st_atim.tv_sec);
  CHECK("fallocate", posix_fallocate(fd, 0, 4096) == 0);
  CHECK("fstat", fstat(fd, &st) == 0);
  printf("size after fallocate: %lld\n", (long long)st.st_size);
  CHECK("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
  CHECK("fsync", fsync(fd) == 0);
  CHECK("fdatasync", fdatasync(fd) == 0);
  close(fd);

  fd = open("log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
  CHECK("append open", fd >= 0);
  CHECK("write 1", write(fd, "one\n", 4) == 4);
  CHECK("lseek start", lseek(fd, 0, SEEK_SET) == 0);
  CHECK("write 2", write(fd, "two\n", 4) == 4);
  int flags = fcntl(fd, F_GETFL);
  printf("append flag: %s\n", (flags & O_APPEND) ? "set" : "clear");
  CHECK("clear append", fcntl(fd, F_SETFL, flags & ~O_APPEND) == 0);
  CHECK("lseek start", lseek(fd, 0, SEEK_SET) == 0);
  CHECK("write 3", write(fd, "ONE\n", 4) == 4);
  close(fd);

  CHECK("symlink", symlink("log.txt", "log.link") == 0);
  struct timespec old[2] = {{0, UTIME_OMIT}, {42, 0}};
  CHECK("utimensat nofollow", utimensat(AT_FDCWD, "log.link", old, AT_SYMLINK_NOFOLLOW) == 0);
  CHECK("lstat", lstat("log.link", &st) == 0);
  printf("link mtime: %lld\n", (long long)st.st_mtim.tv_sec);
  CHECK("stat", stat("log.link", &st) == 0);
  printf("target mtime is not 42: %s\n", st.st_mtim.tv_sec != 42 ? "yes" : "no");
  CHECK("utimensat follow", utimensat(AT_FDCWD, "log.link", old, 0) == 0);
  CHECK("stat", stat("log.txt", &st) == 0);
  printf("target mtime: %lld\n", (long long)st.st_mtim.tv_sec);
  // Directly: this wasi-libc's linkat(AT_FDCWD, ...) fails after a chdir.
  errno = __wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "log.link", 3, "hard");
  CHECK("link follow", errno == 0);
  CHECK("lstat hard", lstat("hard", &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 2);
  CHECK("sched_yield", sched_yield() == 0);
  CHECK("isatty stdout", !isatty(1));
  return 0;
}
