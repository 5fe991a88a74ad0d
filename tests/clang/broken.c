// Input of the wasi_clang test: errors, so clang exits 1 with diagnostics.
#include <stdint.h>

uint32_t f(uint32_t x) {
  return x + undeclared;
}

struct s { int a; } g = {.b = 1};
