// A WASI reactor (built with -mexec-model=reactor): no _start; _initialize
// runs its constructors, then the host calls its exports. `scaled` answers
// x * factor, where factor is set by a constructor: 0 if _initialize did not
// run.
#include <stdio.h>

static int factor;

__attribute__((constructor)) static void setUp(void) {
  factor = 3;
}

__attribute__((export_name("scaled"))) int scaled(int x) {
  printf("scaling %d\n", x);
  fflush(stdout);
  return x * factor;
}
