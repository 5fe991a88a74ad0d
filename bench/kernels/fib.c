// Deep recursion: naive Fibonacci, two calls per level, no memoisation.
#include "kernel.h"

static u32 fib(u32 k) {
  if (k < 2) return k;
  return fib(k - 1) + fib(k - 2);
}

u32 run(u32 n) {
  return fib(n);
}
