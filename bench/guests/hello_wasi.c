// The smallest WASI command: startup cost of a runtime (bench/wasi_bench.sh).
#include <stdio.h>

int main(void) {
  printf("hello, world\n");
  return 0;
}
