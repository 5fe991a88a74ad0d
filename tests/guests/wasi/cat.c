// cat: copies stdin, or each file named, to stdout.
#include "guest_util.h"

#include <string.h>

static int copy(FILE *in) {
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, stdout) != n) return -1;
  return ferror(in) ? -1 : 0;
}

int main(int argc, char **argv) {
  if (argc < 2) return copy(stdin) == 0 ? 0 : 1;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    FILE *f = fopen(argv[i], "r");
    if (!f) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], errnoName(errno));
      status = 1;
      continue;
    }
    if (copy(f) != 0) status = 1;
    fclose(f);
  }
  return status;
}
