// fs OP ARGS... [OP ARGS...]: runs file-system operations in order and
// prints "OP ARG: ok" or "OP ARG: ERRNAME" for each (plus any result), so a
// test states the expected transcript. Raw operations call WASI directly,
// for paths wasi-libc would never pass on (absolute, dot-dot).
#include "guest_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void report(const char *op, const char *arg, int ok) {
  printf("%s %s: %s\n", op, arg, ok ? "ok" : errnoName(errno));
}

static int writeFile(const char *path, const char *text, const char *mode) {
  FILE *f = fopen(path, mode);
  if (!f) return 0;
  int ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok;
}

static void catFile(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    report("cat", path, 0);
    return;
  }
  char buf[1024];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  fclose(f);
  printf("cat %s: %s\n", path, buf);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    report("ls", path, 0);
    return;
  }
  printf("ls %s:", path);
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf(" %s", e->d_name);
  printf("\n");
  closedir(d);
}

static void rawOpen(const char *op, int fd, const char *path, int follow) {
  __wasi_fd_t out;
  __wasi_errno_t e = __wasi_path_open(fd, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, 0,
                                      __WASI_RIGHTS_FD_READ, 0, 0, &out);
  printf("%s %s: %s\n", op, path, errnoName(e));
  if (e == 0) (void)!__wasi_fd_close(out);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc;) {
    const char *op = argv[i++];
    const char *a = i < argc ? argv[i] : "";
    const char *b = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(op, "write")) {
      report(op, a, writeFile(a, b, "w"));
      i += 2;
    } else if (!strcmp(op, "append")) {
      report(op, a, writeFile(a, b, "a"));
      i += 2;
    } else if (!strcmp(op, "cat")) {
      catFile(a);
      i += 1;
    } else if (!strcmp(op, "ls")) {
      list(a);
      i += 1;
    } else if (!strcmp(op, "mkdir")) {
      report(op, a, mkdir(a, 0755) == 0);
      i += 1;
    } else if (!strcmp(op, "rmdir")) {
      report(op, a, rmdir(a) == 0);
      i += 1;
    } else if (!strcmp(op, "rm")) {
      report(op, a, unlink(a) == 0);
      i += 1;
    } else if (!strcmp(op, "mv")) {
      report(op, a, rename(a, b) == 0);
      i += 2;
    } else if (!strcmp(op, "ln")) {
      report(op, b, link(a, b) == 0);
      i += 2;
    } else if (!strcmp(op, "symlink")) {
      report(op, b, symlink(a, b) == 0);
      i += 2;
    } else if (!strcmp(op, "openw")) {
      int fd = open(a, O_WRONLY);
      report(op, a, fd >= 0);
      if (fd >= 0) close(fd);
      i += 1;
    } else if (!strcmp(op, "trunc")) {
      report(op, a, truncate(a, atoi(b)) == 0);
      i += 2;
    } else if (!strcmp(op, "readlink")) {
      char buf[256];
      ssize_t n = readlink(a, buf, sizeof buf - 1);
      if (n < 0)
        report(op, a, 0);
      else
        printf("readlink %s: %.*s\n", a, (int)n, buf);
      i += 1;
    } else if (!strcmp(op, "stat")) {
      struct stat st;
      if (stat(a, &st) != 0)
        report(op, a, 0);
      else
        printf("stat %s: %s %lld\n", a,
               S_ISDIR(st.st_mode)   ? "dir"
               : S_ISREG(st.st_mode) ? "file"
                                     : "other",
               (long long)st.st_size);
      i += 1;
    } else if (!strcmp(op, "rawopen")) {
      rawOpen(op, 3, a, 1);
      i += 1;
    } else if (!strcmp(op, "rawopen-nofollow")) {
      rawOpen(op, 3, a, 0);
      i += 1;
    } else if (!strcmp(op, "rawmv")) {
      __wasi_errno_t e = __wasi_path_rename(3, a, 3, b);
      printf("rawmv %s: %s\n", a, errnoName(e));
      i += 2;
    } else if (!strcmp(op, "rawsymlink")) {
      __wasi_errno_t e = __wasi_path_symlink(a, 3, b);
      printf("rawsymlink %s: %s\n", b, errnoName(e));
      i += 2;
    } else if (!strcmp(op, "rawlinkf")) {
      __wasi_errno_t e = __wasi_path_link(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, a, 3, b);
      printf("rawlinkf %s: %s\n", a, errnoName(e));
      i += 2;
    } else if (!strcmp(op, "rawtimesf")) {
      __wasi_errno_t e = __wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, a, 0,
                                                        42, __WASI_FSTFLAGS_MTIM);
      printf("rawtimesf %s: %s\n", a, errnoName(e));
      i += 1;
    } else if (!strcmp(op, "rawmkdir")) {
      __wasi_errno_t e = __wasi_path_create_directory(3, a);
      printf("rawmkdir %s: %s\n", a, errnoName(e));
      i += 1;
    } else if (!strcmp(op, "rawstat")) {
      __wasi_filestat_t st;
      __wasi_errno_t e = __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, a, &st);
      printf("rawstat %s: %s\n", a, errnoName(e));
      i += 1;
    } else {
      printf("unknown op %s\n", op);
      return 2;
    }
  }
  return 0;
}
