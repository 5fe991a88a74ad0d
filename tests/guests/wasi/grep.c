// grep PATTERN [FILE...]: prints lines containing PATTERN; exits 1 when none does.
#include "guest_util.h"

#include <string.h>

static int scan(FILE *in, const char *pattern, const char *prefix) {
  char line[4096];
  int found = 0;
  while (fgets(line, sizeof line, in)) {
    if (strstr(line, pattern)) {
      found = 1;
      if (prefix) printf("%s:", prefix);
      fputs(line, stdout);
    }
  }
  return found;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: grep PATTERN [FILE...]\n", stderr);
    return 2;
  }
  int found = 0;
  if (argc == 2) found = scan(stdin, argv[1], NULL);
  for (int i = 2; i < argc; ++i) {
    FILE *f = fopen(argv[i], "r");
    if (!f) {
      fprintf(stderr, "grep: %s: %s\n", argv[i], errnoName(errno));
      return 2;
    }
    found |= scan(f, argv[1], argc > 3 ? argv[i] : NULL);
    fclose(f);
  }
  return found ? 0 : 1;
}
