// Counts lines, words and bytes of stdin, read in 64 KiB blocks: a
// file-processing guest for bench/wasi_bench.sh, built for wasm32-wasi and
// natively from this one source.
#include <stdio.h>

int main(void) {
  static unsigned char buf[1 << 16];
  unsigned long long lines = 0, words = 0, bytes = 0;
  int in_word = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    bytes += n;
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = buf[i];
      int space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
      if (c == '\n') ++lines;
      if (space)
        in_word = 0;
      else if (!in_word)
        in_word = 1, ++words;
    }
  }
  printf("%llu %llu %llu\n", lines, words, bytes);
  return 0;
}
