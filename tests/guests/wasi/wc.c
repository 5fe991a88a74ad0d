// wc: lines, words and bytes of stdin or of each file named.
#include "guest_util.h"

#include <ctype.h>

static void count(FILE *in, const char *name) {
  unsigned long lines = 0, words = 0, bytes = 0;
  int c, in_word = 0;
  while ((c = getc(in)) != EOF) {
    ++bytes;
    if (c == '\n') ++lines;
    if (isspace(c))
      in_word = 0;
    else if (!in_word)
      in_word = 1, ++words;
  }
  printf("%lu %lu %lu%s%s\n", lines, words, bytes, name ? " " : "", name ? name : "");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    count(stdin, NULL);
    return 0;
  }
  for (int i = 1; i < argc; ++i) {
    FILE *f = fopen(argv[i], "r");
    if (!f) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], errnoName(errno));
      return 1;
    }
    count(f, argv[i]);
    fclose(f);
  }
  return 0;
}
