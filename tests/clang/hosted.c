// Input of the wasi_clang test: a hosted C program, compiled against the
// wasi-libc headers of clang's sysroot (/usr/include/wasm32-wasip1).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
  int unused; // -Wall warns here: the object job's stderr is not empty
  qsort(argv + 1, (size_t)argc - 1, sizeof *argv, compare);
  for (int i = 1; i < argc; i++) printf("%d: %s (%zu bytes)\n", i, argv[i], strlen(argv[i]));
  return argc > 1 ? EXIT_SUCCESS : EXIT_FAILURE;
}
